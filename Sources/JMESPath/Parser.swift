import WorkflowJSON

/// A Pratt parser for the JMESPath grammar (binding powers as in the specification's reference
/// implementation).
struct Parser {
    private let tokens: [Token]
    private let expression: String
    private var index = 0
    private var depth = 0

    /// Expressions are bounded, so that parsing, evaluating and freeing one never exhausts the
    /// stack: at most this many tokens...
    static let maximumTokens = 1024
    /// ...and this much nesting.
    static let maximumDepth = 128

    private static let projectionStop = 10

    private static func bindingPower(_ kind: Token.Kind) -> Int {
        switch kind {
        case .pipe: 1
        case .or: 2
        case .and: 3
        case .eq, .ne, .lt, .lte, .gt, .gte: 5
        case .flatten: 9
        case .star: 20
        case .filter: 21
        case .dot: 40
        case .not: 45
        case .lbrace: 50
        case .lbracket: 55
        case .lparen: 60
        default: 0
        }
    }

    static func parse(_ expression: String) throws(JMESPathError) -> Node {
        let tokens = try Lexer.tokenize(expression)
        guard tokens.count <= maximumTokens + 1 else {
            throw JMESPathError(.syntax, "the expression is too long (\(tokens.count - 1) tokens; at most \(maximumTokens))",
                                position: tokens[maximumTokens].position, expression: expression)
        }
        var parser = Parser(tokens: tokens, expression: expression)
        let node = try parser.expression(0)
        guard parser.current.kind == .eof else {
            throw parser.error("unexpected \(parser.describe(parser.current)) after a complete expression", at: parser.current)
        }
        return node
    }

    private init(tokens: [Token], expression: String) {
        self.tokens = tokens
        self.expression = expression
    }

    private var current: Token { tokens[index] }
    private func lookahead(_ offset: Int) -> Token { tokens[min(index + offset, tokens.count - 1)] }
    private mutating func advance() { if index < tokens.count - 1 { index += 1 } }

    private func describe(_ token: Token) -> String {
        switch token.kind {
        case .unquotedIdentifier: "identifier '\(token.text)'"
        case .quotedIdentifier: "quoted identifier \"\(token.text)\""
        case .number: "number \(token.text)"
        case .literal: "literal"
        case .rawString: "raw string"
        default: token.kind.rawValue
        }
    }

    private func error(_ message: String, at token: Token) -> JMESPathError {
        JMESPathError(.syntax, message, position: token.position, expression: expression)
    }

    private mutating func match(_ kind: Token.Kind) throws(JMESPathError) {
        guard current.kind == kind else {
            throw error("expected \(kind.rawValue), found \(describe(current))", at: current)
        }
        advance()
    }

    private mutating func expression(_ bindingPower: Int) throws(JMESPathError) -> Node {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Parser.maximumDepth else { throw error("the expression nests deeper than \(Parser.maximumDepth) levels", at: current) }
        let token = current
        advance()
        var left = try nud(token)
        while bindingPower < Parser.bindingPower(current.kind) {
            let token = current
            advance()
            left = try led(token, left)
        }
        return left
    }

    // MARK: Prefix positions

    private mutating func nud(_ token: Token) throws(JMESPathError) -> Node {
        switch token.kind {
        case .literal, .rawString:
            return .literal(token.value)
        case .unquotedIdentifier:
            return .field(token.text)
        case .quotedIdentifier:
            if current.kind == .lparen { throw error("a quoted identifier cannot name a function", at: token) }
            return .field(token.text)
        case .star:
            let right: Node = current.kind == .rbracket ? .identity : try projectionRHS(Parser.bindingPower(.star))
            return .valueProjection(.identity, right)
        case .filter:
            return try filter(.identity)
        case .lbrace:
            return try multiSelectHash()
        case .lparen:
            let inner = try expression(0)
            try match(.rparen)
            return inner
        case .flatten:
            return .projection(.flatten(.identity), try projectionRHS(Parser.bindingPower(.flatten)))
        case .not:
            return .not(try expression(Parser.bindingPower(.not)))
        case .lbracket:
            if current.kind == .number || current.kind == .colon {
                return try projectIfSlice(.identity, try indexExpression())
            }
            if current.kind == .star && lookahead(1).kind == .rbracket {
                advance()
                advance()
                return .projection(.identity, try projectionRHS(Parser.bindingPower(.star)))
            }
            return try multiSelectList()
        case .current:
            return .identity
        case .expref:
            return .expref(try expression(0))
        case .eof:
            throw error("the expression is incomplete", at: token)
        default:
            throw error("unexpected \(describe(token))", at: token)
        }
    }

    // MARK: Infix positions

    private mutating func led(_ token: Token, _ left: Node) throws(JMESPathError) -> Node {
        switch token.kind {
        case .dot:
            if current.kind == .star {
                advance()
                return .valueProjection(left, try projectionRHS(Parser.bindingPower(.dot)))
            }
            return .subexpression(left, try dotRHS(Parser.bindingPower(.dot)))
        case .pipe:
            return .pipe(left, try expression(Parser.bindingPower(.pipe)))
        case .or:
            return .or(left, try expression(Parser.bindingPower(.or)))
        case .and:
            return .and(left, try expression(Parser.bindingPower(.and)))
        case .lparen:
            guard case .field(let name) = left else {
                throw error("only a name can be called as a function", at: token)
            }
            var arguments: [Node] = []
            while current.kind != .rparen {
                arguments.append(try expression(0))
                if current.kind == .comma {
                    try match(.comma)
                    if current.kind == .rparen { throw error("expected an argument after ','", at: current) }
                } else if current.kind != .rparen {
                    throw error("expected ',' or ')' in the arguments of \(name)(), found \(describe(current))", at: current)
                }
            }
            try match(.rparen)
            let function = try Function.resolve(name, arguments: arguments.count, expression: expression, position: token.position)
            return .function(function, arguments)
        case .filter:
            return try filter(left)
        case .eq, .ne, .lt, .lte, .gt, .gte:
            let comparator: Node.Comparator = switch token.kind {
            case .eq: .eq
            case .ne: .ne
            case .lt: .lt
            case .lte: .lte
            case .gt: .gt
            default: .gte
            }
            return .comparator(comparator, left, try expression(Parser.bindingPower(token.kind)))
        case .flatten:
            return .projection(.flatten(left), try projectionRHS(Parser.bindingPower(.flatten)))
        case .lbracket:
            if current.kind == .number || current.kind == .colon {
                return try projectIfSlice(left, try indexExpression())
            }
            try match(.star)
            try match(.rbracket)
            return .projection(left, try projectionRHS(Parser.bindingPower(.star)))
        default:
            throw error("unexpected \(describe(token))", at: token)
        }
    }

    // MARK: Pieces

    private mutating func filter(_ left: Node) throws(JMESPathError) -> Node {
        let condition = try expression(0)
        try match(.rbracket)
        let right: Node = current.kind == .flatten ? .identity : try projectionRHS(Parser.bindingPower(.filter))
        return .filterProjection(left, right, condition: condition)
    }

    private mutating func indexExpression() throws(JMESPathError) -> Node {
        if current.kind == .colon || lookahead(1).kind == .colon { return try sliceExpression() }
        let value = current.number
        try match(.number)
        try match(.rbracket)
        return .index(value)
    }

    private mutating func sliceExpression() throws(JMESPathError) -> Node {
        var parts: [Int?] = [nil, nil, nil]
        var position = 0
        while current.kind != .rbracket && position < 3 {
            if current.kind == .colon {
                position += 1
                if position == 3 { throw error("a slice has at most three parts", at: current) }
                advance()
            } else if current.kind == .number {
                parts[position] = current.number
                advance()
            } else {
                throw error("expected a number or ':' in a slice, found \(describe(current))", at: current)
            }
        }
        try match(.rbracket)
        return .slice(start: parts[0], stop: parts[1], step: parts[2])
    }

    private mutating func projectIfSlice(_ left: Node, _ right: Node) throws(JMESPathError) -> Node {
        let indexed = Node.indexExpression(left, right)
        if case .slice = right { return .projection(indexed, try projectionRHS(Parser.bindingPower(.star))) }
        return indexed
    }

    private mutating func projectionRHS(_ bindingPower: Int) throws(JMESPathError) -> Node {
        if Parser.bindingPower(current.kind) < Parser.projectionStop { return .identity }
        switch current.kind {
        case .lbracket, .filter:
            return try expression(bindingPower)
        case .dot:
            try match(.dot)
            return try dotRHS(bindingPower)
        default:
            throw error("unexpected \(describe(current)) after a projection", at: current)
        }
    }

    private mutating func dotRHS(_ bindingPower: Int) throws(JMESPathError) -> Node {
        switch current.kind {
        case .quotedIdentifier, .unquotedIdentifier, .star:
            return try expression(bindingPower)
        case .lbracket:
            try match(.lbracket)
            return try multiSelectList()
        case .lbrace:
            try match(.lbrace)
            return try multiSelectHash()
        default:
            throw error("expected an identifier, '*', '[' or '{' after '.', found \(describe(current))", at: current)
        }
    }

    private mutating func multiSelectList() throws(JMESPathError) -> Node {
        var items: [Node] = []
        while true {
            items.append(try expression(0))
            if current.kind == .rbracket { break }
            try match(.comma)
        }
        try match(.rbracket)
        return .multiSelectList(items)
    }

    private mutating func multiSelectHash() throws(JMESPathError) -> Node {
        var pairs: [(key: String, value: Node)] = []
        while true {
            let key = current
            guard key.kind == .quotedIdentifier || key.kind == .unquotedIdentifier else {
                throw error("expected a key in a multi-select hash, found \(describe(key))", at: key)
            }
            advance()
            try match(.colon)
            pairs.append((key.text, try expression(0)))
            if current.kind == .comma {
                try match(.comma)
            } else {
                try match(.rbrace)
                break
            }
        }
        return .multiSelectHash(pairs)
    }
}

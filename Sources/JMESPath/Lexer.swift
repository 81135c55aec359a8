import WorkflowJSON

/// Splits an expression into tokens (positions count Unicode scalars).
struct Lexer {
    private let scalars: [Unicode.Scalar]
    private let expression: String
    private var index = 0

    init(_ expression: String) {
        self.expression = expression
        self.scalars = Array(expression.unicodeScalars)
    }

    static func tokenize(_ expression: String) throws(JMESPathError) -> [Token] {
        var lexer = Lexer(expression)
        var tokens: [Token] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.kind == .eof { return tokens }
        }
    }

    private func error(_ message: String, at position: Int) -> JMESPathError {
        JMESPathError(.syntax, message, position: position, expression: expression)
    }

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        index + offset < scalars.count ? scalars[index + offset] : nil
    }

    private mutating func next() throws(JMESPathError) -> Token {
        while let c = peek(), c == " " || c == "\t" || c == "\n" || c == "\r" { index += 1 }
        let start = index
        guard let c = peek() else { return Token(kind: .eof, position: start) }
        func single(_ kind: Token.Kind) -> Token {
            index += 1
            return Token(kind: kind, position: start)
        }
        func oneOrTwo(_ second: Unicode.Scalar, _ two: Token.Kind, _ one: Token.Kind) -> Token {
            if peek(1) == second {
                index += 2
                return Token(kind: two, position: start)
            }
            index += 1
            return Token(kind: one, position: start)
        }
        switch c {
        case ".": return single(.dot)
        case "*": return single(.star)
        case "]": return single(.rbracket)
        case ",": return single(.comma)
        case ":": return single(.colon)
        case "@": return single(.current)
        case "(": return single(.lparen)
        case ")": return single(.rparen)
        case "{": return single(.lbrace)
        case "}": return single(.rbrace)
        case "[":
            if peek(1) == "]" { index += 2; return Token(kind: .flatten, position: start) }
            if peek(1) == "?" { index += 2; return Token(kind: .filter, position: start) }
            return single(.lbracket)
        case "|": return oneOrTwo("|", .or, .pipe)
        case "&": return oneOrTwo("&", .and, .expref)
        case "!": return oneOrTwo("=", .ne, .not)
        case "<": return oneOrTwo("=", .lte, .lt)
        case ">": return oneOrTwo("=", .gte, .gt)
        case "=":
            if peek(1) == "=" { index += 2; return Token(kind: .eq, position: start) }
            throw error("'=' is not an operator (use '==')", at: start)
        case "'": return try rawString()
        case "`": return try literal()
        case "\"": return try quotedIdentifier()
        case "-", "0"..."9": return try number()
        default:
            if isIdentifierStart(c) {
                while let next = peek(), isIdentifierPart(next) { index += 1 }
                return Token(kind: .unquotedIdentifier, text: String(String.UnicodeScalarView(scalars[start..<index])), position: start)
            }
            throw error("unexpected character '\(c)'", at: start)
        }
    }

    private func isIdentifierStart(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_"
    }

    private func isIdentifierPart(_ c: Unicode.Scalar) -> Bool {
        isIdentifierStart(c) || (c >= "0" && c <= "9")
    }

    /// Reads up to the closing `delimiter`, skipping backslash-escaped characters; returns the
    /// raw text between the delimiters.
    private mutating func consumeUntil(_ delimiter: Unicode.Scalar, what: String) throws(JMESPathError) -> String {
        let start = index
        index += 1
        var text = String.UnicodeScalarView()
        while true {
            guard let c = peek() else { throw error("unterminated \(what)", at: start) }
            if c == delimiter {
                index += 1
                return String(text)
            }
            if c == "\\", let escaped = peek(1) {
                text.append(c)
                text.append(escaped)
                index += 2
                continue
            }
            text.append(c)
            index += 1
        }
    }

    private mutating func rawString() throws(JMESPathError) -> Token {
        let start = index
        let raw = try consumeUntil("'", what: "raw string")
        // Only \' is an escape in a raw string; every other backslash is kept as it is.
        var text = ""
        var iterator = raw.unicodeScalars.makeIterator()
        while let c = iterator.next() {
            if c == "\\" {
                guard let next = iterator.next() else { text.unicodeScalars.append(c); break }
                if next == "'" { text.unicodeScalars.append("'") } else {
                    text.unicodeScalars.append(c)
                    text.unicodeScalars.append(next)
                }
            } else {
                text.unicodeScalars.append(c)
            }
        }
        return Token(kind: .rawString, value: .string(text), position: start)
    }

    private mutating func literal() throws(JMESPathError) -> Token {
        let start = index
        let raw = try consumeUntil("`", what: "literal").replacingBackslashBacktick()
        if let value = try? JSON(parsing: raw) {
            return Token(kind: .literal, value: value, position: start)
        }
        throw error("invalid JSON literal `\(raw)`", at: start)
    }

    private mutating func quotedIdentifier() throws(JMESPathError) -> Token {
        let start = index
        let raw = try consumeUntil("\"", what: "quoted identifier")
        do {
            guard case .string(let text) = try JSON(parsing: "\"" + raw + "\"") else {
                throw error("invalid quoted identifier", at: start)
            }
            return Token(kind: .quotedIdentifier, text: text, position: start)
        } catch let parse as JSONParseError {
            throw error("invalid quoted identifier \"\(raw)\": \(parse.message)", at: start)
        } catch {
            throw self.error("invalid quoted identifier", at: start)
        }
    }

    private mutating func number() throws(JMESPathError) -> Token {
        let start = index
        if peek() == "-" { index += 1 }
        guard let first = peek(), first >= "0" && first <= "9" else { throw error("expected a digit after '-'", at: start) }
        while let c = peek(), c >= "0" && c <= "9" { index += 1 }
        let text = String(String.UnicodeScalarView(scalars[start..<index]))
        guard let value = Int(text) else { throw error("number \(text) is out of range", at: start) }
        return Token(kind: .number, text: text, number: value, position: start)
    }
}

extension String {
    fileprivate func replacingBackslashBacktick() -> String {
        var out = String.UnicodeScalarView()
        var iterator = unicodeScalars.makeIterator()
        while let c = iterator.next() {
            if c == "\\" {
                guard let next = iterator.next() else { out.append(c); break }
                if next == "`" { out.append("`") } else { out.append(c); out.append(next) }
            } else {
                out.append(c)
            }
        }
        return String(out)
    }
}

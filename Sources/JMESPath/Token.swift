import WorkflowJSON

/// A token of a JMESPath expression.
struct Token: Sendable {
    enum Kind: String, Sendable {
        case unquotedIdentifier = "identifier", quotedIdentifier = "quoted identifier", number, literal, rawString = "raw string"
        case dot = "'.'", star = "'*'", flatten = "'[]'", filter = "'[?'", lbracket = "'['", rbracket = "']'"
        case lbrace = "'{'", rbrace = "'}'", lparen = "'('", rparen = "')'", comma = "','", colon = "':'"
        case pipe = "'|'", or = "'||'", and = "'&&'", not = "'!'", expref = "'&'", current = "'@'"
        case eq = "'=='", ne = "'!='", lt = "'<'", lte = "'<='", gt = "'>'", gte = "'>='"
        case eof = "the end of the expression"
    }

    var kind: Kind
    var text: String = ""
    var number: Int = 0
    var value: JSON = .null
    var position: Int
}

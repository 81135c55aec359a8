/// Why an expression could not be compiled or evaluated. ``kind`` uses the names of the
/// JMESPath compliance suite (`syntax`, `invalid-arity`, `invalid-type`, `invalid-value`,
/// `unknown-function`).
public struct JMESPathError: Error, Hashable, Sendable {
    public enum Kind: String, Sendable, Hashable {
        case syntax
        case invalidArity = "invalid-arity"
        case invalidType = "invalid-type"
        case invalidValue = "invalid-value"
        case unknownFunction = "unknown-function"
    }

    public var kind: Kind
    public var message: String
    /// Character offset into the expression (0-based), where one applies.
    public var position: Int?
    public var expression: String

    public init(_ kind: Kind, _ message: String, position: Int? = nil, expression: String = "") {
        self.kind = kind
        self.message = message
        self.position = position
        self.expression = expression
    }
}

extension JMESPathError: CustomStringConvertible {
    /// `syntax error at position 7 in "foo[8:2&]": unexpected character '&'`
    public var description: String {
        let kindText = kind == .syntax ? "syntax error" : "\(kind.rawValue) error"
        var text = kindText
        if let position { text += " at position \(position)" }
        if !expression.isEmpty { text += " in \"\(expression)\"" }
        return text + ": " + message
    }
}

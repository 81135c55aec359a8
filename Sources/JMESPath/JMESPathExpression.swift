import WorkflowJSON

/// A compiled JMESPath expression: compile once, evaluate many times, from any thread.
///
/// ```swift
/// let condition = try JMESPathExpression("message.score > `0.5`")
/// let matched = try condition.evaluate(["message": ["score": 0.7]]).isTruthy
/// ```
///
/// Compilation reports syntax errors with their position, unknown functions and wrong argument
/// counts; evaluation reports argument types (`invalid-type`) and bad values (`invalid-value`).
public struct JMESPathExpression: Sendable, CustomStringConvertible {
    /// The expression's text.
    public let source: String
    let root: Node

    /// Compiles `source`.
    /// - Throws: ``JMESPathError`` (`syntax`, `unknown-function`, `invalid-arity`).
    public init(_ source: String) throws(JMESPathError) {
        self.source = source
        self.root = try Parser.parse(source)
    }

    /// Evaluates the expression against `value`.
    /// - Throws: ``JMESPathError`` (`invalid-type`, `invalid-value`).
    public func evaluate(_ value: JSON) throws(JMESPathError) -> JSON {
        try Interpreter(expression: source).evaluate(root, value)
    }

    /// Evaluates the expression and applies JMESPath truthiness (false, null, "", [], {} are false).
    public func matches(_ value: JSON) throws(JMESPathError) -> Bool {
        try evaluate(value).isTruthy
    }

    public var description: String { source }
}

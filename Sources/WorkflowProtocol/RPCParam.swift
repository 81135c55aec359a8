import WorkflowJSON

/// One named param of a method: its name and what it means. Its schema and whether it is required
/// come from the method's `Params` type (``TypeShape``); `schema` is given only where it says more
/// than the type can (a pattern, bounds).
public struct RPCParam: Sendable {
    public var name: String
    public var summary: String
    /// A schema that says more than the param's type; nil: the type's.
    public var schema: JSON?

    public init(_ name: String, _ summary: String, _ schema: JSON? = nil) {
        self.name = name
        self.summary = summary
        self.schema = schema
    }
}

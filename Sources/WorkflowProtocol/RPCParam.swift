import WorkflowJSON

/// One named param of a method.
public struct RPCParam: Sendable {
    public var name: String
    public var required: Bool
    public var summary: String
    public var schema: JSON

    public init(_ name: String, required: Bool = false, _ summary: String, _ schema: JSON) {
        self.name = name
        self.required = required
        self.summary = summary
        self.schema = schema
    }
}

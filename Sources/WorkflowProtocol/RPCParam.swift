import WorkflowJSON

/// One named param of a method: its name, what it means, and its schema. Whether it is required
/// is not written here: the method's `Params` type says it (a non-optional property), read by
/// ``TypeShape``.
public struct RPCParam: Sendable {
    public var name: String
    public var summary: String
    public var schema: JSON

    public init(_ name: String, _ summary: String, _ schema: JSON) {
        self.name = name
        self.summary = summary
        self.schema = schema
    }
}

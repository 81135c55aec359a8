import WorkflowJSON

/// A schema that cannot be compiled, and where (a JSON Pointer into it, e.g. `#/properties/a/type`).
public struct SchemaError: Error, Hashable, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, _ message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "invalid schema at \(path): \(message)" }
}

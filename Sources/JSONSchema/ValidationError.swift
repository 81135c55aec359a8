import Synchronization
import WorkflowJSON

/// One way an instance fails its schema.
public struct ValidationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Where in the instance (a JSON Pointer; empty for the whole value).
    public var instanceLocation: String
    /// Which keyword failed (a JSON Pointer into the schema, e.g. `#/properties/approved/type`).
    public var schemaLocation: String
    public var keyword: String
    public var message: String

    /// `/approved: expected boolean, got string`
    public var description: String { (instanceLocation.isEmpty ? "/" : instanceLocation) + ": " + message }
}

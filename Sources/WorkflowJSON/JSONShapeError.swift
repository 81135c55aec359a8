/// A JSON value did not have the shape a model type needs.
public struct JSONShapeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Where in the value (a dotted path such as `messages[2].target`).
    public var path: String
    public var message: String

    public init(path: String, _ message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

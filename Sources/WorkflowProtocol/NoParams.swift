import WorkflowJSON

/// Params for methods that take none.
public struct NoParams: Codable, Sendable, Hashable {
    public init() {}
}

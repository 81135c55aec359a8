/// What ``WorkflowInstance/respond(to:with:)`` did with an accepted response.
public struct ResponseOutcome: Sendable, Hashable {
    /// The run that will deliver the response: the active run, or a new continuation run.
    public var runID: String
    /// Whether a continuation run was started (the instance was idle).
    public var startedRun: Bool
}

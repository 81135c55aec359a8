/// What ``WorkflowInstance/resumeRecovered(_:)`` did.
public struct RecoveryOutcome: Sendable {
    /// The interrupted run, resumed (mode `resume`), or a run that continues responses that were
    /// accepted but not delivered.
    public var resumed: RunHandle?
    /// Interrupted runs recorded as failed (mode `fail`, or extra ones a store should not have).
    public var failedRuns: [String]
    /// The queued run that started because the instance was idle.
    public var startedQueuedRun: String?
}

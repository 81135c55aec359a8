/// What became of a signal (``WorkflowInstance/signal(_:payload:)``).
public struct SignalOutcome: Sendable, Hashable {
    /// The wait it woke; nil when it was kept for a wait to come.
    public var waitID: String?
    /// The run that delivers the wake: the active run, or a continuation (nil when kept).
    public var runID: String?
    /// Whether delivering it starts (or was promised) a continuation run.
    public var startedRun: Bool

    /// Makes an outcome.
    public init(waitID: String?, runID: String?, startedRun: Bool) {
        self.waitID = waitID
        self.runID = runID
        self.startedRun = startedRun
    }
}

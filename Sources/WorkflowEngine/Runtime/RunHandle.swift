/// A run that was asked for: its id, what happened to the request, and its events.
public struct RunHandle: Sendable {
    /// What ``WorkflowInstance/start(_:idempotencyKey:durableStart:onBusy:)`` did.
    public enum Disposition: Sendable, Hashable {
        /// A new run started (or a continuation, for a response).
        case started
        /// Queued behind the active run (position 1 is next).
        case queued(position: Int)
        /// The idempotency key was already used: this is that run, nothing new started.
        case existing
        /// Started by a rewind or fork whose checkpoint had work in flight, or resumed by recovery.
        case continued
    }

    /// The run's id.
    public let runID: String
    /// What the request did.
    public let disposition: Disposition
    /// The run's events from when the handle was made until the run ends (then the sequence
    /// ends). Bounded like any subscription; dropping it does not affect the run.
    public let events: EventSubscription
    /// The instance the run belongs to.
    public let instance: WorkflowInstance

    /// Waits for the run to end.
    public func result() async throws -> RunResult {
        try await instance.result(of: runID)
    }
}

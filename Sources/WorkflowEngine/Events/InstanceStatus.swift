/// An instance's status (the `status` event's value).
public enum InstanceStatus: String, Sendable, Hashable, CaseIterable {
    /// Nothing runs, nothing is open: a run may start.
    case idle
    /// A run is active.
    case inProgress = "in_progress"
    /// No run is active, and requests for a person are open: an answer starts a run that delivers it.
    case idleWithPendingRequests = "idle_with_pending_requests"
    /// No run is active, no request is open, and waits are armed: a time that comes or a signal
    /// starts a run that wakes them.
    case waiting
    /// The last run failed (its error says why); a new run may start.
    case failed
    /// The last run was cancelled; a new run may start.
    case cancelled
}

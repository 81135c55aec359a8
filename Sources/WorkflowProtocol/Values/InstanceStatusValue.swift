/// An instance's status on the wire (an instance, a checkpoint, an event).
public enum InstanceStatusValue: String, WireEnum {
    /// Nothing to do.
    case idle
    /// A run is active.
    case inProgress = "in_progress"
    /// The last run ended with requests for a person open.
    case idleWithPendingRequests = "idle_with_pending_requests"
    /// The last run ended with waits armed (a time, a signal) and no request open.
    case waiting
    /// The last run failed.
    case failed
    /// The last run was cancelled.
    case cancelled
}

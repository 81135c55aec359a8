/// A run's status on the wire: queued, in progress, or how it ended.
public enum RunStatusValue: String, WireEnum {
    /// Waiting in the instance's queue.
    case queued
    /// Running.
    case inProgress = "in_progress"
    /// Ended with nothing left to do.
    case idle
    /// Ended waiting for a person (requests open).
    case idleWithPendingRequests = "idle_with_pending_requests"
    /// Ended with waits armed (a time, a signal) and no request open.
    case waiting
    /// Ended failed.
    case failed
    /// Ended cancelled.
    case cancelled

    /// Whether the run has ended.
    public var isFinished: Bool { self != .queued && self != .inProgress }
}

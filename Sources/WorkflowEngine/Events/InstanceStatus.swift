/// An instance's status (the `status` event's value).
public enum InstanceStatus: String, Sendable, Hashable, CaseIterable {
    case idle
    case inProgress = "in_progress"
    case idleWithPendingRequests = "idle_with_pending_requests"
    case failed
    case cancelled
}

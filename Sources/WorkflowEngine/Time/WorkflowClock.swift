import WorkflowJSON

/// Where an instance reads the time for its waits: when one is due, when it fired, how late.
/// The daemon passes ``SystemClock``; tests pass a ``ManualClock`` and move it by hand, so no
/// test of a timer sleeps.
public protocol WorkflowClock: Sendable {
    /// The time now, in seconds since 1970 (waits are due at a time of day, not after an uptime).
    func now() -> Double
}

/// The system's wall clock.
public struct SystemClock: WorkflowClock {
    /// Makes the system clock.
    public init() {}

    public func now() -> Double { Timestamp.now() }
}

import WorkflowConcurrency

/// A clock that moves only when told: a test arms a wait, advances the clock past it and asks
/// the instance to fire what is due.
public final class ManualClock: WorkflowClock {
    private let time: Locked<Double>

    /// Makes a clock that reads `start` (seconds since 1970) until it is moved.
    public init(start: Double = 1_800_000_000) {
        time = Locked(start)
    }

    public func now() -> Double { time.withLock { $0 } }

    /// Moves the clock forward by `seconds`.
    public func advance(by seconds: Double) {
        time.withLock { $0 += seconds }
    }

    /// Sets the clock to `time` (seconds since 1970).
    public func set(_ time: Double) {
        self.time.withLock { $0 = time }
    }
}

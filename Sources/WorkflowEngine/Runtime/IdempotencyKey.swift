/// An idempotency key and the run it started: `run.start` with the same key returns that run.
/// Keys expire (by age and by count, see ``InstanceConfiguration``), so they cannot pile up.
public struct IdempotencyKey: Sendable, Hashable {
    /// The caller's key.
    public var key: String
    /// The run it started.
    public var runID: String
    /// When the key was first used (seconds since 1970).
    public var createdAt: Double

    /// Makes a key record.
    public init(key: String, runID: String, createdAt: Double) {
        self.key = key
        self.runID = runID
        self.createdAt = createdAt
    }
}

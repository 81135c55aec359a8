/// What an instance holds at one moment, in numbers (what a daemon's metrics add up), read in
/// one step without copying its requests or waits.
public struct InstanceGauges: Sendable, Hashable {
    /// Whether a run is active.
    public var running: Bool
    /// Requests open.
    public var openRequests: Int
    /// When the oldest open request was raised (seconds since the epoch), if one is open.
    public var oldestRequestTime: Double?
    /// Waits armed (timers and signals).
    public var waits: Int

    /// Makes the numbers.
    public init(running: Bool, openRequests: Int, oldestRequestTime: Double?, waits: Int) {
        self.running = running
        self.openRequests = openRequests
        self.oldestRequestTime = oldestRequestTime
        self.waits = waits
    }
}

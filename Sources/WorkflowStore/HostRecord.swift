/// A workflowd host that shares the database, as `wfctl status` shows it.
public struct HostRecord: Sendable, Equatable {
    /// The host's id (`--host-id`).
    public var id: String
    /// Seconds since its last heartbeat, by the database's clock.
    public var heartbeatAge: Double
    /// Whether its heartbeat is within the lease.
    public var alive: Bool
    /// How many instances it owns.
    public var instances: Int

    /// A host as the database records it.
    public init(id: String, heartbeatAge: Double, alive: Bool, instances: Int) {
        self.id = id
        self.heartbeatAge = heartbeatAge
        self.alive = alive
        self.instances = instances
    }
}

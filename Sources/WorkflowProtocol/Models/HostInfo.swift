import WorkflowJSON

/// A workflowd host that shares the PostgreSQL database (`daemon.status`, with several hosts).
public struct HostInfo: Codable, Sendable, Hashable {
    /// The host's id (`--host-id`).
    public var id: String
    /// Seconds since its last heartbeat, by the database's clock.
    public var heartbeatAgeSeconds: Double
    /// Whether its heartbeat is within the lease (a host past it is dead: its instances are taken over).
    public var alive: Bool
    /// How many instances it owns.
    public var instances: Int

    /// Makes a host's description.
    public init(id: String, heartbeatAgeSeconds: Double, alive: Bool, instances: Int) {
        self.id = id
        self.heartbeatAgeSeconds = heartbeatAgeSeconds
        self.alive = alive
        self.instances = instances
    }

    /// The schema of a host's description.
    public static let schema: JSON = Schema.of(HostInfo.self, ["heartbeatAgeSeconds": ["type": "number", "minimum": 0]])
}

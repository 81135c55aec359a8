import WorkflowJSON

/// An instance as the daemon describes it. `instance.list` gives the summary fields; the rest
/// (`activeRunId`, `openRequests`, `head`, ...) come with `instance.get`.
public struct InstanceInfo: Codable, Sendable, Hashable {
    public struct Origin: Codable, Sendable, Hashable {
        public var instance: String
        public var checkpointId: String
        public init(instance: String, checkpointId: String) {
            self.instance = instance
            self.checkpointId = checkpointId
        }
    }

    public var name: String
    public var definition: String
    /// The graph hash of the definition version the instance pins.
    public var definitionHash: String
    /// `idle`, `in_progress`, `idle_with_pending_requests`, `waiting`, `failed` or `cancelled`.
    public var status: InstanceStatusValue
    /// The uid that created it (it and root may act on it).
    public var owner: UInt32
    /// `reject` or `queue`.
    public var onBusy: BusyPolicyValue
    public var createdAt: String
    /// Whether the definition's current version differs (`instance.reset` with `upgrade` moves to it).
    public var upgradeAvailable: Bool?
    public var activeRunId: String?
    public var queuedRunIds: [String]?
    public var openRequests: [RequestInfo]?
    /// The lineage head: the checkpoint the next one will have as parent.
    public var head: String?
    /// The seq the next event will get.
    public var nextSeq: UInt64?
    public var superstep: Int?
    public var forkedFrom: Origin?
    /// Armed waits, the soonest due first (with `instance.get`).
    public var waits: [WaitInfo]?
    /// Signals kept for waits that have not been armed yet, by name, oldest first.
    public var keptSignals: [String]?
    /// Set while the instance is paused (`instance.pause`): why, and since when.
    public var paused: Pause?
    /// The host that owns the instance, when several hosts share a PostgreSQL database (with `instance.get`).
    public var host: String?

    /// Why and since when an instance is paused.
    public struct Pause: Codable, Sendable, Hashable {
        /// The reason given to `instance.pause`, if one was.
        public var reason: String?
        /// When it was paused (RFC 3339).
        public var pausedAt: String
        /// Makes one.
        public init(reason: String?, pausedAt: String) {
            self.reason = reason
            self.pausedAt = pausedAt
        }
    }

    public init(name: String, definition: String, definitionHash: String, status: InstanceStatusValue, owner: UInt32, onBusy: BusyPolicyValue,
                createdAt: String) {
        self.name = name
        self.definition = definition
        self.definitionHash = definitionHash
        self.status = status
        self.owner = owner
        self.onBusy = onBusy
        self.createdAt = createdAt
    }

    public static let schema: JSON = Schema.of(InstanceInfo.self, [
        "createdAt": Schema.time, "openRequests": Schema.array(Schema.ref("RequestInfo")), "waits": Schema.array(Schema.ref("WaitInfo")),
        "paused": Schema.of(Pause.self, ["pausedAt": Schema.time]),
    ])
}

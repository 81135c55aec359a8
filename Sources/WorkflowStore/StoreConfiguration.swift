/// How the store keeps its database, passed in explicitly.
public struct StoreConfiguration: Sendable {
    /// How far a commit goes before it returns.
    public enum Durability: String, Sendable, CaseIterable {
        /// WAL with `synchronous=NORMAL`: a commit survives a crash of the process (the default).
        case normal
        /// WAL with `synchronous=FULL`: a commit also survives a power loss.
        case full
    }

    public var durability: Durability
    /// Checkpoints kept per instance (newest first); the lineage head, branch tips and checkpoints
    /// with open requests are kept besides (DESIGN.md §3.7).
    public var checkpointRetention: Int
    /// Events kept per instance in the log (newest first); nil keeps all.
    public var eventRetention: Int?

    public init(durability: Durability = .normal, checkpointRetention: Int = 100, eventRetention: Int? = 100_000) {
        self.durability = durability
        self.checkpointRetention = checkpointRetention
        self.eventRetention = eventRetention
    }
}

/// An instance as the store keeps it.
public struct InstanceRecord: Sendable, Hashable {
    public var name: String
    /// The definition's name and the graph hash the instance pins.
    public var definition: String
    public var definitionHash: String
    /// The uid of the peer that created it.
    public var ownerUID: UInt32
    public var onBusy: String
    public var status: String
    /// The lineage head (last checkpoint written or restored).
    public var head: String?
    public var createdAt: Double
    public var forkedFrom: String?
    public var forkedFromCheckpoint: String?

    public init(name: String, definition: String, definitionHash: String, ownerUID: UInt32 = 0, onBusy: String = "reject",
                status: String = "idle", head: String? = nil, createdAt: Double, forkedFrom: String? = nil,
                forkedFromCheckpoint: String? = nil) {
        self.name = name
        self.definition = definition
        self.definitionHash = definitionHash
        self.ownerUID = ownerUID
        self.onBusy = onBusy
        self.status = status
        self.head = head
        self.createdAt = createdAt
        self.forkedFrom = forkedFrom
        self.forkedFromCheckpoint = forkedFromCheckpoint
    }
}

import WorkflowEngine

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
    /// Set while the instance is paused: `{reason?, pausedAt}`.
    public var paused: JSON?

    public init(name: String, definition: String, definitionHash: String, ownerUID: UInt32 = 0, onBusy: String = "reject",
                status: String = "idle", head: String? = nil, createdAt: Double, forkedFrom: String? = nil,
                forkedFromCheckpoint: String? = nil, paused: JSON? = nil) {
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
        self.paused = paused
    }
}

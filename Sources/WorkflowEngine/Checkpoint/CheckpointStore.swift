/// Everything one step of an instance makes durable, committed together or not at all: the
/// events it emitted, the checkpoint it wrote (if any) and the instance's status.
///
/// A superstep commits one batch: its events, its checkpoint and the new status. While a
/// concurrent superstep is still running, batches of its live events are committed without a
/// checkpoint (they are published only after that), and the boundary batch follows.
///
/// What else a durable store keeps (runs and their outcomes, the responses inbox, the lineage
/// head) follows from the events: `run_started`, `status`, `run_failed`, `output`,
/// `response_accepted`, `executor_invoked` (a response delivered), `instance_reset`,
/// `instance_rewound`, `instance_forked`. The few decisions that have no event travel in
/// ``queuedRuns`` and ``idempotencyKeys``.
public struct StoreBatch: Sendable {
    /// A run waiting behind the active one (onBusy `queue`).
    public struct QueuedRun: Sendable, Hashable {
        public var runID: String
        public var input: JSON
        public var idempotencyKey: String?

        public init(runID: String, input: JSON, idempotencyKey: String?) {
            self.runID = runID
            self.input = input
            self.idempotencyKey = idempotencyKey
        }
    }

    public var instance: String
    public var events: [WorkflowEvent]
    public var checkpoint: Checkpoint?
    public var status: InstanceStatus?
    /// Runs queued by this step (in order).
    public var queuedRuns: [QueuedRun]
    /// Idempotency keys recorded by this step (key → run id).
    public var idempotencyKeys: [String: String]

    public init(instance: String, events: [WorkflowEvent], checkpoint: Checkpoint? = nil, status: InstanceStatus? = nil,
                queuedRuns: [QueuedRun] = [], idempotencyKeys: [String: String] = [:]) {
        self.instance = instance
        self.events = events
        self.checkpoint = checkpoint
        self.status = status
        self.queuedRuns = queuedRuns
        self.idempotencyKeys = idempotencyKeys
    }
}

/// Where an instance keeps its checkpoints and its event log.
///
/// The instance calls these methods from its actor and waits for them, so a commit's order is the
/// events' order and nothing is published before it is stored. Implementations are expected to
/// be quick (an in-memory copy, a local SQLite transaction).
///
/// A store must never hand out a reference to what it holds: a loaded checkpoint is a copy, and
/// a live instance can never change a stored one.
public protocol CheckpointStore: Sendable {
    /// Commits a batch atomically.
    func commit(_ batch: StoreBatch) throws

    /// Commits several consecutive batches of one instance, in order. A store that can should do
    /// it in one transaction (each batch wholly in or out, and all of them together); the default
    /// commits them one by one.
    func commit(_ batches: [StoreBatch]) throws

    /// The checkpoint with `id`, or nil.
    func checkpoint(id: String) throws -> Checkpoint?

    /// The instance's checkpoints, oldest first.
    func checkpoints(instance: String) throws -> [CheckpointSummary]

    /// Deletes a checkpoint; false if there was none.
    @discardableResult
    func deleteCheckpoint(id: String) throws -> Bool

    /// The instance's logged events with seq greater than `afterSeq`, in order, at most `limit`.
    func events(instance: String, afterSeq: UInt64, limit: Int) throws -> [WorkflowEvent]
}

extension CheckpointStore {
    public func commit(_ batches: [StoreBatch]) throws {
        for batch in batches { try commit(batch) }
    }

    /// The chain from `id` back to its lineage's root: `[id, parent, grandparent, ...]`.
    public func lineage(of id: String) throws -> [CheckpointSummary] {
        var chain: [CheckpointSummary] = []
        var next: String? = id
        var seen = Set<String>()
        while let current = next, seen.insert(current).inserted, let checkpoint = try checkpoint(id: current) {
            chain.append(checkpoint.summary)
            next = checkpoint.parentID
        }
        return chain
    }
}

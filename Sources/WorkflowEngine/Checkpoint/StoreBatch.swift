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
/// `instance_rewound`, `instance_forked`, `run_recovered`. The few decisions that have no event
/// travel in ``queuedRuns`` and ``idempotencyKeys``.
public struct StoreBatch: Sendable {
    /// A run waiting behind the active one (onBusy `queue`).
    public struct QueuedRun: Sendable, Hashable {
        /// The queued run's id.
        public var runID: String
        /// The input it will start with.
        public var input: JSON
        /// The key it was asked for with, if any.
        public var idempotencyKey: String?

        /// Makes a queued run.
        public init(runID: String, input: JSON, idempotencyKey: String?) {
            self.runID = runID
            self.input = input
            self.idempotencyKey = idempotencyKey
        }
    }

    /// The instance the batch belongs to.
    public var instance: String
    /// The events, in seq order (without a gap after the last batch's).
    public var events: [WorkflowEvent]
    /// The checkpoint written at this step, if any (it becomes the lineage head).
    public var checkpoint: Checkpoint?
    /// The instance's new status, if it changed.
    public var status: InstanceStatus?
    /// Runs queued by this step (in order).
    public var queuedRuns: [QueuedRun]
    /// Idempotency keys recorded by this step.
    public var idempotencyKeys: [IdempotencyKey]
    /// What changed since ``checkpoint``'s parent (a store may write only that); ``CheckpointChanges/everything``
    /// unless the instance knows better.
    public var checkpointChanges: CheckpointChanges

    /// Makes a batch (an instance makes its own; a store only reads them).
    public init(instance: String, events: [WorkflowEvent], checkpoint: Checkpoint? = nil, status: InstanceStatus? = nil,
                queuedRuns: [QueuedRun] = [], idempotencyKeys: [IdempotencyKey] = [], checkpointChanges: CheckpointChanges = .everything) {
        self.instance = instance
        self.events = events
        self.checkpoint = checkpoint
        self.status = status
        self.queuedRuns = queuedRuns
        self.idempotencyKeys = idempotencyKeys
        self.checkpointChanges = checkpointChanges
    }
}

import Tracing
import WorkflowConcurrency
/// A named, long-lived workflow instance: it owns shared state, executor state, edge state
/// (fan-in buffers), in-flight messages, pending requests, the superstep counter, the checkpoint
/// lineage pointer and its event log, and runs one run at a time.
///
/// ```swift
/// let instance = WorkflowInstance(name: "review-1", workflow: workflow,
///                                 configuration: .init(store: InMemoryCheckpointStore()))
/// let handle = try await instance.start(["text": "draft"])
/// for try await event in handle.events { print(event.json) }
/// let result = try await handle.result()
/// ```
///
/// Every decision about runs (start, queue, continue, cancel, reset, rewind) is taken
/// synchronously inside the actor by its run lifecycle (a value-type state machine), so there is no window between a check and
/// the action it allows. A run never holds the actor for long: between supersteps it lets
/// `respond`, `cancel` and reads in at least every half millisecond, and a response reaches the
/// active run at its next superstep boundary.
///
/// The file layout: `+Runs` (starting runs, results), `+Superstep` (the superstep loop), `+Commit`
/// (publishing through the store, returning to the durable point), `+Requests` (responses),
/// `+Maintenance` (cancel, reset, rewind, fork), `+Recovery`, `+Events` (subscriptions) and
/// `+Checkpoints` (snapshots and restores).
public actor WorkflowInstance {
    /// The instance's name.
    public nonisolated let name: String
    /// The definition version the instance was created with (pinned).
    public nonisolated let workflow: Workflow
    /// Its store, limits, busy policy and logger.
    public nonisolated let configuration: InstanceConfiguration

    let sink: EventSink
    var state: InstanceState
    var lifecycle: RunLifecycle
    var runs: RunHistory
    var commits: CommitQueue
    /// Callers waiting for the commit group in flight to end.
    var commitWaiters: [CheckedContinuation<Void, Never>] = []
    /// Where the instance stands with its store (in step, ahead after a failed commit, broken).
    var durability = DurabilityState()
    var subscribers: [Int: SubscriptionBuffer] = [:]
    var nextSubscriberID = 0
    /// The seq of the next event subscribers will be given (everything before is in the log).
    var nextDeliverySeq: UInt64
    /// Callers of ``takeCheckpoint()`` waiting for the active run's next boundary checkpoint.
    var boundaryWaiters: [Promise<String>] = []
    /// Runs a recovered instance found in progress, until ``resumeRecovered(_:)`` takes them up.
    var interruptedRuns: [String]
    /// Wakes the flusher of a concurrent superstep (so a cancel reaches its task group).
    var currentWake: AsyncStream<Void>.Continuation?
    /// The active run whose `runTimeout` has passed (it fails at the next check).
    var timedOutRunID: String?
    /// The active run's span (`workflow.run`), when tracing.
    var runSpan: (any Span)?

    /// Where this instance was forked from, if it was.
    var origin: (instance: String, checkpointID: String)?

    /// Creates an idle instance. Executors are built from the workflow's factories when first needed.
    /// - Parameters:
    ///   - name: the instance's name (in its events, errors and log lines).
    ///   - workflow: the graph it runs.
    ///   - configuration: its store, limits, busy policy and logger.
    ///   - nextSeq: the seq of the first event (a store that reopens an instance passes
    ///     one past the last logged seq, so seqs are never reused).
    public init(name: String, workflow: Workflow, configuration: InstanceConfiguration = .init(), nextSeq: UInt64 = 1) {
        self.init(name: name, workflow: workflow, configuration: configuration, nextSeq: nextSeq, state: InstanceState(),
                  base: .fresh, status: .idle)
    }

    /// Creates an instance in the state `checkpoint` describes (its lineage head is that
    /// checkpoint), without a store: what a sub-workflow executor does with its child's state.
    /// - Throws: `checkpointIncompatible` or `invalidCheckpoint`.
    public init(name: String, workflow: Workflow, restoring checkpoint: Checkpoint, configuration: InstanceConfiguration = .init(),
                nextSeq: UInt64 = 1) throws {
        let state = try Self.restoredState(from: checkpoint, workflow: workflow)
        self.init(name: name, workflow: workflow, configuration: configuration, nextSeq: nextSeq, state: state,
                  base: .checkpoint(checkpoint), status: state.status)
    }

    init(name: String, workflow: Workflow, configuration: InstanceConfiguration, nextSeq: UInt64, state: InstanceState,
         base: CommitQueue.Base, status: InstanceStatus, lifecycle: RunLifecycle? = nil, runs: RunHistory? = nil,
         interruptedRuns: [String] = [], forkedFrom: (instance: String, checkpointID: String)? = nil) {
        self.name = name
        self.workflow = workflow
        self.configuration = configuration
        self.sink = EventSink(instance: name, nextSeq: nextSeq)
        self.state = state
        self.lifecycle = lifecycle ?? RunLifecycle(policy: configuration.onBusy, keyLimit: configuration.idempotencyKeyLimit,
                                                   keyLifetime: configuration.idempotencyKeyLifetime, queueLimit: configuration.queueLimit)
        self.runs = runs ?? RunHistory(limit: configuration.runHistoryLimit)
        self.commits = CommitQueue(base: base, nextSeq: nextSeq, status: status)
        self.nextDeliverySeq = nextSeq
        self.interruptedRuns = interruptedRuns
        self.origin = forkedFrom
    }

    nonisolated func requireStore() throws -> any CheckpointStore {
        guard let store = configuration.store else {
            throw WorkflowError(.noStore, "instance '\(name)' has no checkpoint store")
        }
        return store
    }
}

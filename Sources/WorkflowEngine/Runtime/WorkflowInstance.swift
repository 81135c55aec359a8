/// A named, long-lived workflow instance: it owns shared state, executor state, edge state
/// (fan-in buffers), in-flight messages, pending requests, the superstep counter, the checkpoint
/// lineage pointer and its event log, and runs one run at a time.
///
/// ```swift
/// let instance = WorkflowInstance(name: "review-1", workflow: workflow,
///                                 configuration: .init(store: InMemoryCheckpointStore()))
/// let handle = try await instance.start(["text": "draft"])
/// for await event in handle.events { print(event.json) }
/// let result = try await handle.result()
/// ```
///
/// Every decision about runs (start, queue, continue, cancel, reset, rewind) is taken
/// synchronously inside the actor by ``RunLifecycle``, so there is no window between a check and
/// the action it allows.
public actor WorkflowInstance {
    /// The instance's name.
    public nonisolated let name: String
    /// The definition version the instance was created with (pinned).
    public nonisolated let workflow: Workflow
    public nonisolated let configuration: InstanceConfiguration

    let sink: EventSink
    var state = InstanceState()
    var lifecycle: RunLifecycle
    /// Responses accepted while a run is active, delivered at its next superstep boundary.
    var inbox: [PendingMessage] = []
    var runs: [String: RunRecord] = [:]
    var finishedRuns: [String] = []
    /// The run whose events are being published; its handle streams get them (cached here so
    /// publishing does not look the run up per superstep).
    var currentRunID: String?
    var currentStreams: [AsyncStream<[WorkflowEvent]>.Continuation] = []
    /// The active run's task when it runs in the background. It is owned here: cancel, reset and
    /// shutdown cancel it and await the run. (``run(_:idempotencyKey:)`` drives its run in the
    /// caller's task instead, which saves a thread handoff per run.)
    var activeTask: Task<Void, Never>?
    /// Set by ``cancel()``; the superstep loop checks it with `Task.isCancelled`.
    var cancelRequested = false
    /// Wakes the flusher of a concurrent superstep (so a cancel reaches its task group).
    var currentWake: AsyncStream<Void>.Continuation?
    /// Lifecycle decisions to commit with the next batch (they have no event of their own).
    var pendingQueued: [StoreBatch.QueuedRun] = []
    var pendingKeys: [String: String] = [:]
    /// Group commit: batches of consecutive inline supersteps waiting to be committed together
    /// (with their events, which are published only then).
    var deferredBatches: [StoreBatch] = []
    var deferredEvents: [WorkflowEvent] = []
    var deferredSince: Double = 0
    /// The last checkpoint known to be committed (the head may be ahead of it while batches wait).
    var durableHead: String?
    /// A commit that carried deferred batches failed: the state is ahead of the store.
    var lostDeferredBatches = false

    /// At most this many superstep batches, or this much time, wait for one commit.
    static let maximumDeferredBatches = 16
    static let maximumDeferral: Double = 0.002
    var subscribers: [Int: AsyncStream<[WorkflowEvent]>.Continuation] = [:]
    var nextSubscriberID = 0

    /// Where this instance was forked from, if it was.
    public internal(set) var forkedFrom: (instance: String, checkpointID: String)?

    /// Creates an instance in the state `checkpoint` describes (its lineage head is that
    /// checkpoint), without a store: what a sub-workflow executor does with its child's state.
    /// - Throws: `checkpointIncompatible` or `invalidCheckpoint`.
    public init(name: String, workflow: Workflow, restoring checkpoint: Checkpoint, configuration: InstanceConfiguration = .init(),
                nextSeq: UInt64 = 1) throws {
        self.name = name
        self.workflow = workflow
        self.configuration = configuration
        self.sink = EventSink(instance: name, nextSeq: nextSeq)
        self.lifecycle = RunLifecycle(policy: configuration.onBusy)
        self.state = try Self.restoredState(from: checkpoint, workflow: workflow)
    }

    /// A complete snapshot of the instance now, as a checkpoint that is not stored and does not
    /// move the lineage head (for embedding, e.g. a sub-workflow's state in its parent's).
    public func snapshot() throws -> Checkpoint {
        try makeCheckpoint(reason: .superstep, runID: nil)
    }

    /// Creates an idle instance. Executors are built from the workflow's factories when first needed.
    /// - Parameter nextSeq: the seq of the first event (a store that reopens an instance passes
    ///   one past the last logged seq, so seqs are never reused).
    public init(name: String, workflow: Workflow, configuration: InstanceConfiguration = .init(), nextSeq: UInt64 = 1) {
        self.name = name
        self.workflow = workflow
        self.configuration = configuration
        self.sink = EventSink(instance: name, nextSeq: nextSeq)
        self.lifecycle = RunLifecycle(policy: configuration.onBusy)
    }

    // MARK: Inspection

    /// The last status: `idle`, `in_progress`, `idle_with_pending_requests`, `failed`, `cancelled`.
    public var status: InstanceStatus { state.status }
    /// The open requests, oldest first.
    public var pendingRequests: [WorkflowRequest] { state.sortedPending }
    /// The committed shared state.
    public var sharedState: JSONObject { state.sharedState }
    /// The superstep counter (it continues across runs; reset sets it to 0).
    public var superstep: Int { state.superstep }
    /// The lineage pointer: the checkpoint the next one will have as parent.
    public var lineageHead: String? { state.head }
    /// The active run, if any.
    public var activeRunID: String? { lifecycle.activeRunID }
    /// Runs waiting behind the active one (onBusy `queue`).
    public var queuedRunIDs: [String] { lifecycle.queue.map(\.runID) }
    /// How many messages are waiting for delivery (in flight, plus responses not yet delivered).
    public var messagesInFlight: Int { state.inFlight.count + inbox.count }
    /// The seq the next event will get.
    public var nextSeq: UInt64 { sink.nextSeq }

    /// An executor's current state snapshot (`null` before the executor exists).
    public func executorSnapshot(_ id: String) throws -> JSON {
        guard let index = workflow.index(of: id) else {
            throw WorkflowError(.invalidGraph, "workflow '\(workflow.name)' has no executor '\(id)'")
        }
        return try state.executors?[index].snapshot() ?? .null
    }

    /// Values waiting in fan-in buffers, by edge id (one list per source).
    public var fanInBuffers: [String: [[JSON]]] {
        Dictionary(uniqueKeysWithValues: state.fanIn.map { (workflow.edges[$0.key].id, $0.value) })
    }

    /// The instance's checkpoints in the store, oldest first.
    public func checkpoints() throws -> [CheckpointSummary] {
        try requireStore().checkpoints(instance: name)
    }

    /// The chain from the lineage head (or `checkpointID`) back to its root.
    public func lineage(from checkpointID: String? = nil) throws -> [CheckpointSummary] {
        let store = try requireStore()
        guard let start = checkpointID ?? state.head else { return [] }
        return try store.lineage(of: start)
    }

    // MARK: Events

    /// Streams the instance's events: first those logged after `afterSeq` (from the store), then
    /// live ones, in seq order, until the stream is dropped.
    public func subscribe(afterSeq: UInt64? = nil) throws -> WorkflowEventStream {
        let (stream, continuation) = AsyncStream<[WorkflowEvent]>.makeStream()
        if let afterSeq, let store = configuration.store {
            let replay = try store.events(instance: name, afterSeq: afterSeq, limit: Int.max)
            if !replay.isEmpty { continuation.yield(replay) }
        }
        subscribers[nextSubscriberID] = continuation
        nextSubscriberID += 1
        return WorkflowEventStream(stream)
    }

    /// Reads logged events after `afterSeq` (needs a store).
    public func events(afterSeq: UInt64 = 0, limit: Int = 1000) throws -> [WorkflowEvent] {
        try requireStore().events(instance: name, afterSeq: afterSeq, limit: limit)
    }

    /// Publishes what the sink holds: registers announced requests, optionally writes a checkpoint
    /// (with its `checkpoint_saved` event), commits everything in one store batch, and only then
    /// hands the events to subscribers. A client never sees an event the log lacks.
    ///
    /// A `deferrable` batch (a superstep boundary) may wait for the next commit, so that a burst of
    /// fast supersteps costs one transaction instead of one each (group commit); each superstep is
    /// still wholly in or out. Its events wait with it. Any other publish commits at once,
    /// carrying the waiting batches along, and so does a deferrable one once 16 batches or 2 ms
    /// have piled up.
    func publish(checkpoint reason: Checkpoint.Reason? = nil, runID: String? = nil, status: InstanceStatus? = nil,
                 deferrable: Bool = false) throws {
        var events = sink.drain()
        for event in events {
            if case .request(let request) = event.body { state.pending[request.id] = request }
        }
        var checkpoint: Checkpoint?
        if let reason, configuration.store != nil {
            let made = try makeCheckpoint(reason: reason, runID: runID)
            sink.emit(runID: runID, .checkpointSaved(checkpointID: made.id, superstep: made.superstep))
            events += sink.drain()
            checkpoint = made
        }
        if events.isEmpty && checkpoint == nil && status == nil && pendingQueued.isEmpty && pendingKeys.isEmpty
            && deferredBatches.isEmpty { return }
        guard let store = configuration.store else {
            deliver(events)
            return
        }
        let batch = StoreBatch(instance: name, events: events, checkpoint: checkpoint, status: status,
                               queuedRuns: pendingQueued, idempotencyKeys: pendingKeys)
        pendingQueued = []
        pendingKeys = [:]
        if deferrable && deferredBatches.count < Self.maximumDeferredBatches
            && (deferredBatches.isEmpty || Timestamp.monotonic() - deferredSince < Self.maximumDeferral) {
            if deferredBatches.isEmpty { deferredSince = Timestamp.monotonic() }
            deferredBatches.append(batch)
            deferredEvents += events
            if let checkpoint { state.head = checkpoint.id }
            return
        }
        let batches = deferredBatches + [batch]
        let waiting = deferredEvents
        deferredBatches = []
        deferredEvents = []
        do {
            try store.commit(batches)
        } catch {
            if batches.count > 1 { lostDeferredBatches = true }
            throw WorkflowError(.storeFailed, "instance '\(name)': the store could not commit: \(error)")
        }
        if let checkpoint { state.head = checkpoint.id }
        durableHead = state.head
        deliver(waiting + events)
    }

    /// Commits the batches waiting for a group commit (and publishes their events).
    func flushDeferred() throws {
        if !deferredBatches.isEmpty { try publish() }
    }

    /// After a commit that carried deferred supersteps failed, the instance holds state the store
    /// never got: it goes back to the last checkpoint known to be committed (fresh if none).
    func returnToDurableState() {
        guard lostDeferredBatches else { return }
        lostDeferredBatches = false
        let status = state.status
        if let id = durableHead, let store = configuration.store, let checkpoint = try? store.checkpoint(id: id),
           let restored = try? restoredState(from: checkpoint) {
            state = restored
        } else {
            state = InstanceState()
        }
        state.status = status
    }

    /// Publishes live events during a concurrent superstep (called by its flusher task).
    func flushLive() {
        guard sink.hasPending else { return }
        do {
            try publish()
        } catch {
            // The boundary commit will fail the same way and fail the run; nothing was published.
        }
    }

    func deliver(_ events: [WorkflowEvent]) {
        guard !events.isEmpty else { return }
        for (id, continuation) in subscribers {
            if case .terminated = continuation.yield(events) { subscribers[id] = nil }
        }
        if !currentStreams.isEmpty {
            currentStreams.removeAll { continuation in
                if case .terminated = continuation.yield(events) { return true }
                return false
            }
        }
    }

    // MARK: Checkpoints

    func requireStore() throws -> any CheckpointStore {
        guard let store = configuration.store else {
            throw WorkflowError(.noStore, "instance '\(name)' has no checkpoint store")
        }
        return store
    }

    /// A snapshot of the instance as of the last boundary (executors running in the current
    /// superstep work on copies, so what the instance holds is always the boundary state), plus
    /// responses accepted since.
    func makeCheckpoint(reason: Checkpoint.Reason, runID: String?) throws -> Checkpoint {
        var executorStates: JSONObject = [:]
        if let executors = state.executors {
            for (index, executor) in executors.enumerated() {
                let snapshot = try executor.snapshot()
                if !snapshot.isNull { executorStates[workflow.executorIDs[index]] = snapshot }
            }
        }
        var edgeStates: JSONObject = [:]
        for (edgeIndex, buffers) in state.fanIn {
            edgeStates[workflow.edges[edgeIndex].id] = .array(buffers.map { .array($0) })
        }
        let messages = (state.inFlight + inbox).map {
            Checkpoint.Message(source: $0.source, target: workflow.executorIDs[$0.target], payload: $0.payload, request: $0.request)
        }
        return Checkpoint(id: Identifier.make("c"), parentID: state.head, instance: name, workflowName: workflow.name,
                          definitionHash: workflow.graphHash, runID: runID, reason: reason, superstep: state.superstep,
                          time: Timestamp.now(), status: state.status, sharedState: state.sharedState,
                          executorStates: executorStates, edgeStates: edgeStates, messages: messages,
                          pendingRequests: state.sortedPending)
    }

    /// Builds (aside) the state a checkpoint describes; the caller swaps it in.
    func restoredState(from checkpoint: Checkpoint) throws -> InstanceState {
        try Self.restoredState(from: checkpoint, workflow: workflow)
    }

    static func restoredState(from checkpoint: Checkpoint, workflow: Workflow) throws -> InstanceState {
        guard checkpoint.definitionHash == workflow.graphHash else {
            throw WorkflowError(.checkpointIncompatible,
                                "checkpoint \(checkpoint.id) was written by a different definition of '\(checkpoint.workflowName)' (graph hash \(checkpoint.definitionHash.prefix(12)), instance has \(workflow.graphHash.prefix(12)))",
                                details: ["checkpointId": .string(checkpoint.id), "checkpointHash": .string(checkpoint.definitionHash),
                                          "definitionHash": .string(workflow.graphHash)])
        }
        func invalid(_ message: String) -> WorkflowError {
            WorkflowError(.invalidCheckpoint, "checkpoint \(checkpoint.id): \(message)", details: ["checkpointId": .string(checkpoint.id)])
        }
        var restored = InstanceState()
        var executors = try workflow.makeExecutors()
        for (id, snapshot) in checkpoint.executorStates {
            guard let index = workflow.index(of: id) else { throw invalid("state for unknown executor '\(id)'") }
            do { try executors[index].restore(from: snapshot) } catch {
                throw invalid("executor '\(id)' could not restore its state: \(error)")
            }
        }
        restored.executors = executors
        for (edgeID, value) in checkpoint.edgeStates {
            guard let edgeIndex = workflow.edges.firstIndex(where: { $0.id == edgeID }), case .fanIn(let sources, _) = workflow.edges[edgeIndex] else {
                throw invalid("state for unknown fan-in edge '\(edgeID)'")
            }
            guard let lists = value.arrayValue, lists.count == sources.count, let buffers = Optional(lists.compactMap(\.arrayValue)),
                  buffers.count == sources.count else {
                throw invalid("fan-in edge '\(edgeID)' state must hold one list per source (\(sources.count))")
            }
            restored.fanIn[edgeIndex] = buffers
        }
        for message in checkpoint.messages {
            guard let target = workflow.index(of: message.target) else { throw invalid("message for unknown executor '\(message.target)'") }
            restored.inFlight.append(PendingMessage(source: message.source, target: target, payload: message.payload, request: message.request))
        }
        for request in checkpoint.pendingRequests { restored.pending[request.id] = request }
        restored.sharedState = checkpoint.sharedState
        restored.superstep = checkpoint.superstep
        restored.head = checkpoint.id
        restored.status = restored.pending.isEmpty ? .idle : .idleWithPendingRequests
        return restored
    }
}

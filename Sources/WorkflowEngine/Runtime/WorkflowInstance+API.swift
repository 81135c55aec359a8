/// The public surface of ``WorkflowInstance``, in one place. A run of inline supersteps never
/// holds the actor for more than about a millisecond: whatever waits for it (these calls) gets in
/// between two supersteps, not at the end of the run.
extension WorkflowInstance {
    // MARK: Inspection

    /// The instance at this moment, read in one step (see ``InstanceOverview``).
    public var overview: InstanceOverview {
        InstanceOverview(status: state.status, activeRunID: lifecycle.activeRunID, queuedRunIDs: queuedRunIDs,
                         pendingRequests: state.sortedPending, lineageHead: state.head, nextSeq: sink.nextSeq,
                         superstep: state.superstep, messagesInFlight: messagesInFlight, brokenReason: durability.brokenReason,
                         waits: state.sortedWaits, keptSignals: state.signals)
    }
    /// The instance in numbers (runs, requests, waits), read in one step.
    public var gauges: InstanceGauges {
        InstanceGauges(running: lifecycle.activeRunID != nil, openRequests: state.pending.count,
                       oldestRequestTime: state.pending.values.lazy.map(\.time).min(), waits: state.waits.count)
    }
    /// The last status: `idle`, `in_progress`, `idle_with_pending_requests`, `waiting`, `failed`, `cancelled`.
    public var status: InstanceStatus { state.status }
    /// The open requests, oldest first.
    public var pendingRequests: [WorkflowRequest] { state.sortedPending }
    /// The committed shared state.
    public var sharedState: JSONObject { state.sharedState }
    /// The superstep counter (it continues across runs; reset sets it to 0).
    public var superstep: Int { state.superstep }
    /// The lineage pointer: the checkpoint the next one will have as parent.
    public var lineageHead: String? { state.head }
    /// The last checkpoint the store has committed (the head may be ahead while a group commit waits).
    public var durableHead: String? { commits.durableBase.checkpointID }
    /// The active run, if any.
    public var activeRunID: String? { lifecycle.activeRunID }
    /// Whether nothing goes on: no run active or queued, no subscriber, nothing waiting to be
    /// committed (a daemon may then evict the instance from memory).
    public var isQuiet: Bool {
        lifecycle.state == .idle && lifecycle.queue.isEmpty && lifecycle.waitingResponses.isEmpty && subscribers.isEmpty && commits.isEmpty && boundaryWaiters.isEmpty
    }
    /// Runs waiting behind the active one (onBusy `queue`).
    public var queuedRunIDs: [String] { lifecycle.queue.map(\.runID) }
    /// The idempotency keys in force (oldest first).
    public var idempotencyKeys: [IdempotencyKey] { lifecycle.keys.all }
    /// How many messages are waiting for delivery (in flight, plus responses not yet delivered).
    public var messagesInFlight: Int { state.inFlight.count + lifecycle.waitingResponses.count }
    /// The seq the next event will get.
    public var nextSeq: UInt64 { sink.nextSeq }
    /// How many subscriptions are live.
    public var subscriberCount: Int { subscribers.count }
    /// Why the instance takes no new work, if a store failure left it unable to return to its
    /// last committed checkpoint (a rewind or reset clears it).
    public var brokenReason: WorkflowError? { durability.brokenReason }
    /// Where this instance was forked from, if it was.
    public var forkedFrom: (instance: String, checkpointID: String)? { origin }
    /// Values waiting in fan-in buffers, by edge id (one list per source).
    public var fanInBuffers: [String: [[JSON]]] {
        Dictionary(uniqueKeysWithValues: state.fanIn.map { (workflow.edges[$0.key].id, $0.value) })
    }

    /// An executor's current state snapshot (`null` before the executor exists).
    public func executorSnapshot(_ id: String) throws -> JSON {
        guard let index = workflow.index(of: id) else {
            throw WorkflowError(.invalidGraph, "workflow '\(workflow.name)' has no executor '\(id)'")
        }
        return try state.executors?[index].snapshot() ?? .null
    }

    /// A complete snapshot of the instance now, as a checkpoint that is not stored and does not
    /// move the lineage head (for embedding, e.g. a sub-workflow's state in its parent's).
    public func snapshot() throws -> Checkpoint {
        try currentSnapshot()
    }

    /// The instance's checkpoints in the store, oldest first.
    public nonisolated func checkpoints() async throws -> [CheckpointSummary] {
        try await requireStore().checkpoints(instance: name)
    }

    /// The chain from the lineage head (or `checkpointID`) back to its root.
    public func lineage(from checkpointID: String? = nil) async throws -> [CheckpointSummary] {
        let store = try requireStore()
        guard let start = checkpointID ?? state.head else { return [] }
        return try await store.lineage(of: start)
    }

    /// Reads logged events after `afterSeq`, at most `limit` (needs a store).
    public nonisolated func events(afterSeq: UInt64 = 0, limit: Int = 1000) async throws -> [WorkflowEvent] {
        try await requireStore().events(instance: name, afterSeq: afterSeq, limit: limit)
    }

    // MARK: Runs

    /// Starts a run with `input` delivered to the start executor in its first superstep; the run
    /// goes on in a task the instance owns. Returns once the run's start is committed.
    ///
    /// Decided at once: if a run is active the call fails with `instanceBusy` (or the run is
    /// queued when the instance's policy is `queue`); a known `idempotencyKey` returns that run
    /// and starts nothing.
    ///
    /// - Parameters:
    ///   - input: what the start executor gets as its first message.
    ///   - idempotencyKey: a key that names this run: asked again with the same key, the
    ///     instance returns the run it started then (while the key is kept) and starts nothing.
    ///   - durableStart: with `false`, the run's start is committed together with what
    ///     follows it (its first supersteps, at the latest its end) instead of before this returns:
    ///     for a caller that acknowledges nothing until the run's result, which is itself durable.
    ///     A trivial run then costs one transaction instead of two.
    ///   - onBusy: the busy policy for this start instead of the instance's (a schedule that
    ///     queues its fires whatever the instance says).
    ///
    /// A key of the form `schedule:NAME:TIME` marks a schedule's fire: the run's trigger is
    /// `schedule`.
    public func start(_ input: JSON, idempotencyKey: String? = nil, durableStart: Bool = true, onBusy: BusyPolicy? = nil) async throws -> RunHandle {
        try await startRun(input, idempotencyKey: idempotencyKey, streamEvents: true, durableStart: durableStart, onBusy: onBusy)
    }

    // MARK: Requests

    // MARK: Events

    // MARK: Maintenance

    /// Stops for a graceful shutdown: the active run may finish the superstep in flight (it is
    /// committed, and the run resumes after it when the instance is recovered), for at most
    /// `grace`; a superstep still running then is interrupted (it runs again on recovery).
    /// Nothing new starts on the instance.
    public func suspend(grace: Duration) async {
        if grace > .zero, let runID = lifecycle.drain() {
            currentWake?.yield()
            _ = await withTaskGroup(of: Bool.self) { group in
                group.addTask { (try? await self.result(of: runID)) != nil }
                group.addTask {
                    try? await Task.sleep(for: grace)
                    return false
                }
                defer { group.cancelAll() }
                return await group.next() ?? false
            }
        }
        await suspend()
    }

    /// Stops the instance for good, leaving the store as a restart wants it: nothing new starts;
    /// an active run is stopped without ending (it stays in progress at its last checkpoint and
    /// resumes on recovery); worker processes are stopped; subscriptions end. For daemon shutdown.
    public func suspend() async {
        if case .cancel(let runID, let task) = lifecycle.suspend() {
            interruptRun(task)
            _ = try? await result(of: runID)
        }
        await Self.shutdown(state.executors ?? [])
        for (_, buffer) in subscribers { buffer.finish() }
        subscribers = [:]
    }

    // MARK: Recovery

}

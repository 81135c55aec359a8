import WorkflowConcurrency
import Logging

extension WorkflowInstance {
    /// Publishes what the sink holds: registers announced requests, optionally writes a checkpoint
    /// (with its `checkpoint_saved` event), commits everything in one store batch, and only then
    /// hands the events to subscribers. A client never sees an event the log lacks.
    ///
    /// A `deferrable` batch (a superstep boundary) may wait for the next commit, so that a burst of
    /// fast supersteps costs one transaction instead of one each (group commit, see
    /// ``CommitQueue``). Any other publish commits at once, carrying the waiting batches along.
    /// - Parameters:
    ///   - retained: the batch ends a run: if its commit fails it is kept for the next one.
    ///   - establishes: what the instance returns to once this is committed (a reset's fresh
    ///     state, a rewind's checkpoint); a checkpoint written here establishes itself.
    ///   - withdrawing: requests raised in this superstep of this run are not registered (a
    ///     discarded superstep's).
    /// - Throws: `storeFailed` naming the store's error, when the batch (or one it was built on)
    ///   could not be committed. The instance then returns to its durable point.
    func publish(checkpoint reason: Checkpoint.Reason? = nil, runID: String? = nil, status: InstanceStatus? = nil,
                 deferrable: Bool = false, retained: Bool = false, establishes: CommitQueue.Base? = nil,
                 queuedRuns: [StoreBatch.QueuedRun] = [], idempotencyKeys: [IdempotencyKey] = [],
                 withdrawing: (runID: String, superstep: Int)? = nil) async throws {
        let staged = try stage(checkpoint: reason, runID: runID, status: status, deferrable: deferrable, retained: retained,
                               establishes: establishes, queuedRuns: queuedRuns, idempotencyKeys: idempotencyKeys, withdrawing: withdrawing)
        try await finish(staged)
    }

    /// What ``stage`` left to do.
    enum Staged {
        /// Published (no store), or deferred for a group commit.
        case done
        /// Commit until this batch is decided.
        case commit(CommitQueue.Ticket)
        /// Nothing new, but what waits must be committed.
        case commitWaiting
    }

    /// The synchronous half of ``publish``: builds the batch (and its checkpoint) and queues it.
    /// A superstep boundary that can wait for a group commit costs no suspension at all.
    func stage(checkpoint reason: Checkpoint.Reason? = nil, runID: String? = nil, status: InstanceStatus? = nil,
               deferrable: Bool = false, retained: Bool = false, establishes: CommitQueue.Base? = nil,
               queuedRuns: [StoreBatch.QueuedRun] = [], idempotencyKeys: [IdempotencyKey] = [],
               withdrawing: (runID: String, superstep: Int)? = nil, time: Double? = nil) throws -> Staged {
        try durability.admitCommit(instance: name)
        var (events, liveCount) = sink.drainCounting()
        // Live-only events (a model's streamed text) go to subscribers in their place among the
        // others, but never into the store.
        var delivery: [WorkflowEvent]?
        if liveCount > 0 {
            delivery = events
            events.removeAll { $0.isLive }
        }
        for event in events {
            if case .request(let request) = event.body {
                if let withdrawing, request.runID == withdrawing.runID, request.superstep == withdrawing.superstep { continue }
                state.pending[request.id] = request
            }
        }
        guard configuration.store != nil else {
            deliver(delivery ?? events)
            return .done
        }
        var checkpoint: Checkpoint?
        if let reason {
            let made = try makeCheckpoint(reason: reason, runID: runID, time: time)
            sink.emit(runID: runID, .checkpointSaved(checkpointID: made.id, superstep: made.superstep), time: time)
            let saved = sink.drain()
            events += saved
            delivery? += saved
            checkpoint = made
        }
        let now = Timestamp.monotonic()
        if events.isEmpty && checkpoint == nil && status == nil && queuedRuns.isEmpty && idempotencyKeys.isEmpty {
            // Only live events: nothing to commit, and those waiting for a commit are older.
            if let delivery, commits.isIdle { deliver(delivery) }
            else if let delivery { commits.appendDelivery(delivery) }
            return deferrable || commits.isEmpty ? .done : .commitWaiting
        }
        var changes = CheckpointChanges.everything
        if checkpoint != nil {
            changes = state.changes
            state.changes = .nothing
        }
        let batch = StoreBatch(instance: name, events: events, checkpoint: checkpoint, status: status,
                               queuedRuns: queuedRuns, idempotencyKeys: idempotencyKeys, checkpointChanges: changes)
        let ticket = commits.append(batch, retained: retained, establishes: checkpoint.map { .checkpoint($0) } ?? establishes,
                                    deferred: deferrable, now: now, delivery: delivery)
        if let checkpoint { state.head = checkpoint.id }
        if deferrable && !commits.mustCommit(now: now) { return .done }
        return .commit(ticket)
    }

    /// The asynchronous half of ``publish``: commits what ``stage`` queued, if it must.
    func finish(_ staged: Staged) async throws {
        guard let store = configuration.store else { return }
        switch staged {
        case .done: return
        case .commit(let ticket): try await commitWaiting(through: ticket, store: store)
        case .commitWaiting: try await commitWaiting(through: nil, store: store)
        }
    }

    /// Commits what waits, group by group, until `ticket`'s batch is decided (or, without a
    /// ticket, until nothing waits). One group is in the store at a time; a caller that finds one
    /// there waits for it, and the next group carries its batch.
    func commitWaiting(through ticket: CommitQueue.Ticket?, store: any CheckpointStore) async throws {
        while true {
            if let outcome = ticket?.outcome { return try outcome.get() }
            if commits.committing {
                await withCheckedContinuation { commitWaiters.append($0) }
                continue
            }
            guard let group = commits.takeGroup() else { return }
            var failure: WorkflowError?
            do {
                try await store.commit(group.map(\.batch))
                commits.committed(group)
                durability.commitSucceeded()
                for entry in group { deliver(entry.delivery ?? entry.batch.events) }
                if !commits.liveAfterGroup.isEmpty {
                    let live = commits.liveAfterGroup
                    commits.liveAfterGroup = []
                    deliver(live)
                }
                if !boundaryWaiters.isEmpty, let id = group.last(where: { $0.batch.checkpoint?.reason == .superstep })?.batch.checkpoint?.id {
                    for waiter in boundaryWaiters { waiter.resolve(.success(id)) }
                    boundaryWaiters = []
                }
            } catch {
                let error = WorkflowError(.storeFailed, "instance '\(name)': the store could not commit: \(error)",
                                          details: ["instance": .string(name)], cause: error)
                configuration.logger.error("the store could not commit; the instance returns to its last committed checkpoint",
                                           metadata: ["instance": "\(name)", "error": "\(error.message)"])
                commits.failed(group, error)
                failure = error
                switch durability.commitFailed(error, runActive: lifecycle.activeRunID != nil) {
                case .returnNow: await returnToDurableState()
                case .returnAtRunBoundary: break
                }
            }
            let waiters = commitWaiters
            commitWaiters = []
            for waiter in waiters { waiter.resume() }
            if ticket == nil {
                if let failure { throw failure }
                if commits.isEmpty { return }
            }
        }
    }

    /// After a failed commit: drops what the store never got (events not yet committed, so seqs
    /// go on without a gap), and puts back the state of the last committed checkpoint (or the
    /// fresh state of a committed reset), with the status as committed. If even that fails (an
    /// executor cannot restore its own snapshot), the instance is marked broken: it says why and
    /// takes no new work until rewound or reset. Nothing is ever silently blanked.
    func returnToDurableState() async {
        guard durability.returnBegins() == .restore else { return }
        sink.closeOpenScope()
        sink.discard(restartingAt: commits.nextSeqAfterKept)
        let previous = state.executors ?? []
        do {
            var restored: InstanceState
            switch commits.durableBase {
            case .fresh:
                restored = InstanceState()
                restored.executors = try workflow.makeExecutors()
            case .checkpoint(let checkpoint):
                restored = try restoredState(from: checkpoint)
            }
            restored.status = commits.statusAfterKept
            restored.failedRunID = state.failedRunID
            state = restored
            // The durable state carries the responses it accepted in flight, with the rest of
            // the run's work; a continuation promised to some of them does not come.
            if let promised = lifecycle.responsesRestored() {
                let error = WorkflowError(.storeFailed, "run \(promised) was not started: the store failed; the responses it was to deliver are in flight in the instance's last committed checkpoint",
                                          details: ["runId": .string(promised)])
                complete(promised, RunResult(runID: promised, status: .failed, outputs: [], error: error,
                                             pendingRequests: state.sortedPending, supersteps: 0))
            }
            await Self.shutdown(previous)
        } catch {
            let reason = WorkflowError(.instanceBroken,
                                       "instance '\(name)' could not return to its last committed checkpoint after a store failure: \(error); rewind or reset it",
                                       details: ["instance": .string(name)], cause: error)
            configuration.logger.critical("instance broken", metadata: ["instance": "\(name)", "error": "\(error)"])
            durability.returnFailed(reason)
        }
    }

    /// Publishes live events during a concurrent superstep (called by its flusher task). A failed
    /// commit is not lost: the instance is ahead of its store (``DurabilityState``), and the run
    /// ends on it at its boundary.
    func flushLive() async {
        guard sink.hasPending, durability.failure == nil else { return }
        try? await publish()
    }

    /// Hands committed events to subscribers, in seq order. One that is too slow overflows and
    /// is dropped (alone); one that finished is forgotten.
    func deliver(_ events: [WorkflowEvent]) {
        guard let last = events.last else { return }
        // A live event carries the seq of the logged one before it: the next is still + 1.
        nextDeliverySeq = last.seq + 1
        configuration.observer?.delivered(events)
        for (id, buffer) in subscribers {
            switch buffer.push(events) {
            case .accepted: break
            case .overflowed, .closed: subscribers[id] = nil
            }
        }
        if runs.streamCount > 0, let runID = lifecycle.activeRunID, let streams = runs[runID]?.streams, !streams.isEmpty {
            for stream in streams { _ = stream.push(events) }
        }
    }
}

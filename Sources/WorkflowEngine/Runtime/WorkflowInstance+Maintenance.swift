extension WorkflowInstance {
    /// Cancels the active run: its superstep's executors are cancelled and awaited (their work is
    /// discarded, and nothing they do afterwards lands), it ends `cancelled`, and the instance
    /// keeps its last checkpoint. A run of inline supersteps sees the cancel at its next boundary.
    /// - Returns: whether a run was active.
    @discardableResult
    public func cancel() async -> Bool {
        guard case .cancel(let runID, let task) = lifecycle.cancelRequested() else { return false }
        interruptRun(task)
        _ = try? await result(of: runID)
        return true
    }

    /// Stops the active run's current superstep: its scope closes (nothing more of it lands), its
    /// task is cancelled, and a concurrent superstep's group is cancelled through its flusher.
    func interruptRun(_ task: Task<Void, Never>?) {
        sink.closeOpenScope()
        task?.cancel()
        currentWake?.yield()
    }

    /// Makes the instance indistinguishable from a newly created one: shared, executor and edge
    /// state, in-flight messages, pending requests, superstep counter, lineage pointer, idempotency
    /// keys and queued runs. The event log keeps its history and records `instance_reset`.
    ///
    /// Atomic: the new state is built aside and swapped in only once the store has committed it;
    /// if anything fails, the instance is unchanged and the error says why.
    /// - Parameter cancelRunning: cancel (and await) an active run first; without it, a reset
    ///   during a run fails with `instanceBusy`.
    public func reset(cancelRunning: Bool = false) async throws {
        switch lifecycle.maintenanceRequested(.reset, cancelRunning: cancelRunning) {
        case .reject(let reason):
            throw WorkflowError(.instanceBusy, "instance '\(name)': \(reason)", details: ["instance": .string(name)])
        case .proceed:
            break
        case .cancelThenProceed(let runID, let task):
            interruptRun(task)
            _ = try? await result(of: runID)
        }
        let previousExecutors = state.executors ?? []
        do {
            var fresh = InstanceState()
            fresh.executors = try workflow.makeExecutors()
            sink.emit(runID: nil, .instanceReset)
            sink.emit(runID: nil, .status(.idle))
            try await publish(status: .idle, establishes: .fresh)
            state = fresh
            durability.stateReplaced()
        } catch {
            sink.discard(restartingAt: commits.nextSeqAfterKept)
            durability.failedCommitUndone()
            await finishMaintenance(resetSucceeded: false)
            throw error
        }
        await Self.shutdown(previousExecutors)
        await finishMaintenance(resetSucceeded: true)
    }

    /// Ends a maintenance operation: runs a successful reset dropped are told so (queued runs, and
    /// a continuation promised to responses the reset cleared), then the next run starts, if any.
    func finishMaintenance(resetSucceeded: Bool) async {
        let end = lifecycle.maintenanceFinished(resetSucceeded: resetSucceeded, continuationRunID: Identifier.make("r"))
        for queued in end.droppedRuns {
            complete(queued.runID, RunResult(runID: queued.runID, status: .cancelled, outputs: [],
                                             error: WorkflowError(.cancelled, "queued run \(queued.runID) was dropped by a reset"),
                                             pendingRequests: [], supersteps: 0))
        }
        if let runID = end.droppedContinuation {
            complete(runID, RunResult(runID: runID, status: .cancelled, outputs: [],
                                      error: WorkflowError(.cancelled, "run \(runID) was to deliver responses that a reset cleared"),
                                      pendingRequests: [], supersteps: 0))
        }
        if let next = end.next { await startNext(next) }
    }

    /// Restores checkpoint `checkpointID` in place (rejected while a run is active, or if the
    /// checkpoint was written by a different definition). The next checkpoint's parent is the
    /// restored one, so a new branch starts there. If the checkpoint has work in flight, a run
    /// continues it.
    /// - Returns: the continuing run, if one started.
    @discardableResult
    public func rewind(to checkpointID: String) async throws -> RunHandle? {
        let store = try requireStore()
        switch lifecycle.maintenanceRequested(.rewind, cancelRunning: false) {
        case .reject(let reason):
            throw WorkflowError(.instanceBusy, "instance '\(name)': \(reason)", details: ["instance": .string(name)])
        case .proceed, .cancelThenProceed:
            break
        }
        let previousExecutors = state.executors ?? []
        do {
            let checkpoint = try await loadCheckpoint(checkpointID, from: store)
            guard checkpoint.instance == name else {
                throw WorkflowError(.checkpointNotFound, "checkpoint \(checkpointID) belongs to instance '\(checkpoint.instance)', not '\(name)' (fork it instead)",
                                    details: ["checkpointId": .string(checkpointID)])
            }
            try await swapIn(checkpoint, announcing: .instanceRewound(checkpointID: checkpointID))
        } catch {
            await finishMaintenance(resetSucceeded: false)
            throw error
        }
        await Self.shutdown(previousExecutors)
        return await continueIfWorkInFlight()
    }

    /// Creates a new instance named `newName` from checkpoint `checkpointID` of this instance's
    /// store, recording where it came from. Its lineage continues from that checkpoint. If the
    /// checkpoint has work in flight, a run on the new instance continues it.
    public func fork(from checkpointID: String, as newName: String) async throws -> ForkResult {
        let store = try requireStore()
        let checkpoint = try await loadCheckpoint(checkpointID, from: store)
        let forked = WorkflowInstance(name: newName, workflow: workflow, configuration: configuration)
        let run = try await forked.adopt(checkpoint)
        return ForkResult(instance: forked, run: run)
    }

    func adopt(_ checkpoint: Checkpoint) async throws -> RunHandle? {
        guard case .proceed = lifecycle.maintenanceRequested(.fork, cancelRunning: false) else {
            throw WorkflowError(.instanceBusy, "instance '\(name)' is busy")
        }
        do {
            try await swapIn(checkpoint, announcing: .instanceForked(fromInstance: checkpoint.instance, checkpointID: checkpoint.id))
        } catch {
            await finishMaintenance(resetSucceeded: false)
            throw error
        }
        origin = (checkpoint.instance, checkpoint.id)
        return await continueIfWorkInFlight()
    }

    func loadCheckpoint(_ id: String, from store: any CheckpointStore) async throws -> Checkpoint {
        let loaded: Checkpoint?
        do {
            loaded = try await store.checkpoint(id: id)
        } catch {
            throw WorkflowError(.invalidCheckpoint, "checkpoint \(id) could not be read: \(error)", details: ["checkpointId": .string(id)],
                                cause: error)
        }
        guard let checkpoint = loaded else {
            throw WorkflowError(.checkpointNotFound, "no checkpoint '\(id)'", details: ["checkpointId": .string(id)])
        }
        return checkpoint
    }

    /// Builds the state `checkpoint` describes aside, commits its announcement, then swaps it in
    /// (atomic). If work is in flight, the run that continues it announces the status instead.
    private func swapIn(_ checkpoint: Checkpoint, announcing body: WorkflowEvent.Body) async throws {
        let restored = try restoredState(from: checkpoint)
        sink.emit(runID: nil, body)
        if restored.inFlight.isEmpty { sink.emit(runID: nil, .status(restored.status)) }
        do {
            try await publish(status: restored.status, establishes: .checkpoint(checkpoint))
        } catch {
            sink.discard(restartingAt: commits.nextSeqAfterKept)
            durability.failedCommitUndone()
            throw error
        }
        state = restored
        // A rewind or fork happens only while no run is active, when nothing waits in the inbox;
        // what the checkpoint accepted and did not deliver is in flight, for the run that
        // continues it.
        _ = lifecycle.responsesRestored()
        durability.stateReplaced()
    }

    /// Ends a rewind/fork maintenance: a run continues the restored work in flight, if any.
    private func continueIfWorkInFlight() async -> RunHandle? {
        guard !state.inFlight.isEmpty else {
            await finishMaintenance(resetSucceeded: false)
            return nil
        }
        let runID = Identifier.make("r")
        _ = lifecycle.maintenanceFinished(resetSucceeded: false, startingRun: runID, continuationRunID: Identifier.make("r"))
        runs.add(runID, trigger: .rewind, input: .null)
        let events = attachStream(to: runID)
        do {
            try await beginRun(runID, trigger: .rewind, input: .null, seed: [])
        } catch {
            // The restore stands; the run that continues it could not start. Its handle says so.
            runs.add(runID, trigger: .rewind, input: .null)
            complete(runID, RunResult(runID: runID, status: .failed, outputs: [],
                                      error: (error as? WorkflowError) ?? WorkflowError(.storeFailed, "\(error)", cause: error),
                                      pendingRequests: state.sortedPending, supersteps: 0))
            if let next = lifecycle.nextQueuedRunIfIdle() { await startNext(next) }
            return RunHandle(runID: runID, disposition: .continued, events: .finished(), instance: self)
        }
        return RunHandle(runID: runID, disposition: .continued, events: events, instance: self)
    }

    /// Starts the next run if the instance is idle: a continuation for waiting responses, or
    /// the next queued run.
    func startNextIfIdle() async {
        if let next = lifecycle.nextRunIfIdle(continuationRunID: Identifier.make("r")) { await startNext(next) }
    }

    /// Cancels and awaits the active run, then releases what the executors hold (worker
    /// processes) and ends every subscription. For instance deletion.
    public func shutdown() async {
        _ = await cancel()
        await Self.shutdown(state.executors ?? [])
        for (_, buffer) in subscribers { buffer.finish() }
        subscribers = [:]
    }
}

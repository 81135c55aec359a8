extension WorkflowInstance {
    /// Cancels the active run: its superstep's executors are cancelled and awaited (their work is
    /// discarded), it ends `cancelled`, and the instance keeps its last checkpoint.
    /// - Returns: whether a run was active.
    @discardableResult
    public func cancel() async -> Bool {
        guard case .cancel(let runID) = lifecycle.cancelRequested() else { return false }
        requestCancellation()
        _ = try? await result(of: runID)
        return true
    }

    /// Asks the active run to stop: its loop sees the flag at the next check, its task (if it
    /// has one) is cancelled, and a concurrent superstep's group is cancelled through its flusher.
    func requestCancellation() {
        cancelRequested = true
        activeTask?.cancel()
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
        switch lifecycle.maintenanceRequested("reset", cancelRunning: cancelRunning) {
        case .reject(let reason):
            throw WorkflowError(.instanceBusy, "instance '\(name)': \(reason)", details: ["instance": .string(name)])
        case .proceed:
            break
        case .cancelThenProceed(let runID):
            requestCancellation()
            _ = try? await result(of: runID)
        }
        let previousExecutors = state.executors ?? []
        do {
            var fresh = InstanceState()
            fresh.executors = try workflow.makeExecutors()
            sink.emit(runID: nil, .instanceReset)
            sink.emit(runID: nil, .status(.idle))
            let saved = state
            let savedInbox = inbox
            state = fresh
            inbox = []
            do {
                try publish(status: .idle)
            } catch {
                state = saved
                inbox = savedInbox
                throw error
            }
        } catch {
            _ = sink.drain()
            lifecycle.maintenanceFinished(resetSucceeded: false)
            if let next = lifecycle.dequeueIfIdle() { startQueued(next) }
            throw error
        }
        let dropped = lifecycle.maintenanceFinished(resetSucceeded: true)
        await Self.shutDown(previousExecutors)
        for queued in dropped {
            completeRecord(queued.runID, RunResult(runID: queued.runID, status: .cancelled, outputs: [],
                                                   error: WorkflowError(.cancelled, "queued run \(queued.runID) was dropped by a reset"),
                                                   pendingRequests: [], supersteps: 0))
        }
    }

    /// Restores checkpoint `checkpointID` in place (rejected while a run is active, or if the
    /// checkpoint was written by a different definition). The next checkpoint's parent is the
    /// restored one, so a new branch starts there. If the checkpoint has work in flight, a run
    /// continues it.
    /// - Returns: the continuing run, if one started.
    @discardableResult
    public func rewind(to checkpointID: String) async throws -> RunHandle? {
        let store = try requireStore()
        switch lifecycle.maintenanceRequested("rewind", cancelRunning: false) {
        case .reject(let reason):
            throw WorkflowError(.instanceBusy, "instance '\(name)': \(reason)", details: ["instance": .string(name)])
        case .proceed, .cancelThenProceed:
            break
        }
        let previousExecutors = state.executors ?? []
        do {
            let checkpoint = try loadCheckpoint(checkpointID, from: store)
            guard checkpoint.instance == name else {
                throw WorkflowError(.checkpointNotFound, "checkpoint \(checkpointID) belongs to instance '\(checkpoint.instance)', not '\(name)' (fork it instead)",
                                    details: ["checkpointId": .string(checkpointID)])
            }
            let restored = try restoredState(from: checkpoint)
            try swapIn(restored, announcing: .instanceRewound(checkpointID: checkpointID))
        } catch {
            lifecycle.maintenanceFinished(resetSucceeded: false)
            if let next = lifecycle.dequeueIfIdle() { startQueued(next) }
            throw error
        }
        await Self.shutDown(previousExecutors)
        return continueIfWorkInFlight()
    }

    /// Creates a new instance named `newName` from checkpoint `checkpointID` of this instance's
    /// store, recording where it came from. Its lineage continues from that checkpoint. If the
    /// checkpoint has work in flight, a run on the new instance continues it.
    public func fork(from checkpointID: String, as newName: String) async throws -> ForkResult {
        let store = try requireStore()
        let checkpoint = try loadCheckpoint(checkpointID, from: store)
        let forked = WorkflowInstance(name: newName, workflow: workflow, configuration: configuration)
        let run = try await forked.adopt(checkpoint)
        return ForkResult(instance: forked, run: run)
    }

    func adopt(_ checkpoint: Checkpoint) throws -> RunHandle? {
        guard case .proceed = lifecycle.maintenanceRequested("fork", cancelRunning: false) else {
            throw WorkflowError(.instanceBusy, "instance '\(name)' is busy")
        }
        do {
            try swapIn(try restoredState(from: checkpoint), announcing: .instanceForked(fromInstance: checkpoint.instance, checkpointID: checkpoint.id))
        } catch {
            lifecycle.maintenanceFinished(resetSucceeded: false)
            throw error
        }
        forkedFrom = (checkpoint.instance, checkpoint.id)
        return continueIfWorkInFlight()
    }

    func loadCheckpoint(_ id: String, from store: any CheckpointStore) throws -> Checkpoint {
        let loaded: Checkpoint?
        do {
            loaded = try store.checkpoint(id: id)
        } catch {
            throw WorkflowError(.invalidCheckpoint, "checkpoint \(id) could not be read: \(error)", details: ["checkpointId": .string(id)])
        }
        guard let checkpoint = loaded else {
            throw WorkflowError(.checkpointNotFound, "no checkpoint '\(id)'", details: ["checkpointId": .string(id)])
        }
        return checkpoint
    }

    /// Swaps a restored state in, once its announcement is committed (atomic). If work is in
    /// flight, the run that continues it announces the status instead.
    private func swapIn(_ restored: InstanceState, announcing body: WorkflowEvent.Body) throws {
        sink.emit(runID: nil, body)
        if restored.inFlight.isEmpty { sink.emit(runID: nil, .status(restored.status)) }
        let saved = state
        let savedInbox = inbox
        state = restored
        inbox = []
        do {
            try publish(status: restored.status)
        } catch {
            state = saved
            inbox = savedInbox
            _ = sink.drain()
            throw error
        }
    }

    /// Ends a rewind/fork maintenance: a run continues the restored work in flight, if any.
    private func continueIfWorkInFlight() -> RunHandle? {
        guard !state.inFlight.isEmpty else {
            lifecycle.maintenanceFinished(resetSucceeded: false)
            if let next = lifecycle.dequeueIfIdle() { startQueued(next) }
            return nil
        }
        let runID = Identifier.make("r")
        lifecycle.maintenanceFinished(resetSucceeded: false, startingRun: runID)
        runs[runID] = RunRecord(id: runID, trigger: .rewind, input: .null)
        let events = attachStream(to: runID)
        do {
            try beginRun(runID, trigger: .rewind, input: .null, seed: [])
        } catch {
            completeRecord(runID, RunResult(runID: runID, status: .failed, outputs: [],
                                            error: (error as? WorkflowError) ?? WorkflowError(.storeFailed, "\(error)"),
                                            pendingRequests: state.sortedPending, supersteps: 0))
            if let next = lifecycle.dequeueIfIdle() { startQueued(next) }
            return nil
        }
        return RunHandle(runID: runID, disposition: .continued, events: events, instance: self)
    }

    /// Cancels and awaits the active run, then releases what the executors hold (worker
    /// processes). For daemon shutdown and instance deletion.
    public func shutdown() async {
        await cancel()
        await Self.shutDown(state.executors ?? [])
    }

    static func shutDown(_ executors: [any Executor]) async {
        for executor in executors { await executor.shutdown() }
    }
}

import WorkflowConcurrency
extension WorkflowInstance {
    /// A complete snapshot of the instance now, as a checkpoint that is not stored and does not
    /// move the lineage head (for embedding, e.g. a sub-workflow's state in its parent's).
    func currentSnapshot() throws -> Checkpoint {
        try makeCheckpoint(reason: .superstep, runID: nil)
    }

    /// A snapshot of the instance as of the last boundary (executors running in the current
    /// superstep work on copies, so what the instance holds is always the boundary state), plus
    /// responses accepted since.
    func makeCheckpoint(reason: Checkpoint.Reason, runID: String?, time: Double? = nil) throws -> Checkpoint {
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
        let messages = (state.inFlight + lifecycle.waitingResponses).map {
            Checkpoint.Message(source: $0.source, target: workflow.executorIDs[$0.target], payload: $0.payload, request: $0.request, wake: $0.wake)
        }
        // A boundary with nothing left in flight is where the run converges: the checkpoint says
        // what restoring it gives (idle, or waiting for a person), not the run's last superstep.
        var status = state.status
        if status == .inProgress && messages.isEmpty { status = state.quiescentStatus }
        return Checkpoint(id: Identifier.make("c"), parentID: state.head, instance: name, workflowName: workflow.name,
                          definitionHash: workflow.graphHash, runID: runID, reason: reason, superstep: state.superstep,
                          time: time ?? Timestamp.now(), status: status, sharedState: state.sharedState,
                          executorStates: executorStates, edgeStates: edgeStates, messages: messages,
                          pendingRequests: state.sortedPending, waits: state.sortedWaits, signals: state.signals,
                          timedOutRequests: state.timedOut,
                          // Only a run still in progress is resumed from a checkpoint, and only a
                          // resumed run needs the trace: the checkpoint a run ends with does not
                          // carry it (writing it there was a fifth of what a traced run's spans
                          // cost, in instructions).
                          trace: status == .inProgress ? state.runTrace : [:])
    }

    /// Builds (aside) the state a checkpoint describes; the caller swaps it in.
    func restoredState(from checkpoint: Checkpoint) throws -> InstanceState {
        try Self.restoredState(from: checkpoint, workflow: workflow)
    }

    /// Builds the state a checkpoint describes. Whatever the checkpoint holds (it may come from
    /// anywhere: a file, another version), a checkpoint that does not fit the workflow is an
    /// `invalidCheckpoint` error naming what does not fit, never a trap.
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
            guard let edgeIndex = workflow.edgeIndex(id: edgeID), case .fanIn(let sources, _) = workflow.edges[edgeIndex] else {
                throw invalid("state for unknown fan-in edge '\(edgeID)'")
            }
            guard let lists = value.arrayValue, lists.count == sources.count else {
                throw invalid("fan-in edge '\(edgeID)' state must hold one list per source (\(sources.count))")
            }
            let buffers = lists.compactMap(\.arrayValue)
            guard buffers.count == sources.count else {
                throw invalid("fan-in edge '\(edgeID)' state must hold one list per source (\(sources.count))")
            }
            if buffers.contains(where: { !$0.isEmpty }) { restored.fanIn[edgeIndex] = buffers }
        }
        for message in checkpoint.messages {
            guard let target = workflow.index(of: message.target) else { throw invalid("message for unknown executor '\(message.target)'") }
            if let request = message.request, request.executor != message.target {
                throw invalid("a response to request '\(request.id)' of '\(request.executor)' is addressed to '\(message.target)'")
            }
            if let wake = message.wake, wake.wait.executor != message.target {
                throw invalid("a wake of wait '\(wake.wait.id)' of '\(wake.wait.executor)' is addressed to '\(message.target)'")
            }
            restored.inFlight.append(PendingMessage(source: message.source, target: target, payload: message.payload, request: message.request, wake: message.wake))
        }
        for request in checkpoint.pendingRequests {
            guard workflow.index(of: request.executor) != nil else {
                throw invalid("open request '\(request.id)' belongs to unknown executor '\(request.executor)'")
            }
            restored.pending[request.id] = request
        }
        for wait in checkpoint.waits {
            guard workflow.index(of: wait.executor) != nil else {
                throw invalid("wait '\(wait.id)' belongs to unknown executor '\(wait.executor)'")
            }
            restored.waits[wait.id] = wait
        }
        restored.signals = checkpoint.signals
        restored.timedOut = checkpoint.timedOutRequests
        restored.runTrace = checkpoint.trace
        restored.sharedState = checkpoint.sharedState
        restored.superstep = checkpoint.superstep
        restored.head = checkpoint.id
        restored.status = restored.quiescentStatus
        return restored
    }

    /// Returns executors to the processes they hold (worker processes), once they are replaced.
    static func shutdown(_ executors: [any Executor]) async {
        for executor in executors { await executor.shutdown() }
    }
}

extension WorkflowInstance {
    /// Takes a checkpoint on demand: of the idle state now, or (while a run is active) the one
    /// its next superstep boundary writes. Returns its id once it is committed.
    /// - Throws: `noStore`, `instanceBusy` while a reset or rewind is in progress, `storeFailed`.
    public func takeCheckpoint() async throws -> String {
        _ = try requireStore()
        switch lifecycle.state {
        case .idle:
            return try await writeManualCheckpoint()
        case .running:
            let waiter = Promise<String>()
            boundaryWaiters.append(waiter)
            return try await waiter.value()
        case .maintenance(let operation):
            throw WorkflowError(.instanceBusy, "instance '\(name)': \(operation.rawValue) in progress", details: ["instance": .string(name)])
        case .closed:
            throw WorkflowError(.instanceBusy, "instance '\(name)': shutting down", details: ["instance": .string(name)])
        }
    }

    /// Writes (and commits) a checkpoint of the state as it is.
    func writeManualCheckpoint() async throws -> String {
        try durability.admitWork()
        let staged = try stage(checkpoint: .manual, runID: nil)
        try await finish(staged)
        guard let head = state.head else { throw WorkflowError(.storeFailed, "instance '\(name)': no checkpoint was written") }
        return head
    }
}

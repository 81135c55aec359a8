extension WorkflowInstance {
    // MARK: Starting runs

    /// Starts a run with `input` delivered to the start executor in its first superstep.
    ///
    /// Decided at once: if a run is active the call fails with `instanceBusy` (or the run is
    /// queued when the instance's policy is `queue`); a known `idempotencyKey` returns that run
    /// and starts nothing.
    public func start(_ input: JSON, idempotencyKey: String? = nil) throws -> RunHandle {
        try startRun(input, idempotencyKey: idempotencyKey, streamEvents: true)
    }

    /// Starts a run and waits for it to end. The run is driven by the caller's task, so
    /// cancelling the caller cancels the run (as ``cancel()`` does).
    public func run(_ input: JSON, idempotencyKey: String? = nil) async throws -> RunResult {
        let handle = try startRun(input, idempotencyKey: idempotencyKey, streamEvents: false, drivenByCaller: true)
        if handle.disposition == .started { await driveRun(handle.runID) }
        return try await result(of: handle.runID)
    }

    /// Waits for run `runID` to end (at once if it has).
    public func result(of runID: String) async throws -> RunResult {
        guard let record = runs[runID] else {
            throw WorkflowError(.runNotFound, "instance '\(name)' has no run '\(runID)'", details: ["runId": .string(runID)])
        }
        if let result = record.result { return result }
        return await withCheckedContinuation { continuation in
            runs[runID]?.waiters.append(continuation)
        }
    }

    func startRun(_ input: JSON, idempotencyKey: String?, streamEvents: Bool, drivenByCaller: Bool = false) throws -> RunHandle {
        let runID = Identifier.make("r")
        switch lifecycle.startRequested(runID: runID, input: input, idempotencyKey: idempotencyKey) {
        case .reject(let reason):
            throw WorkflowError(.instanceBusy, "instance '\(name)': \(reason)",
                                details: ["instance": .string(name), "activeRunId": lifecycle.activeRunID.map { .string($0) } ?? .null])
        case .existing(let existing):
            return RunHandle(runID: existing, disposition: .existing, events: attachStream(to: existing), instance: self)
        case .enqueue(let position):
            // The queue is durable: the run is committed before the caller hears it is queued.
            pendingQueued.append(StoreBatch.QueuedRun(runID: runID, input: input, idempotencyKey: idempotencyKey))
            if let idempotencyKey { pendingKeys[idempotencyKey] = runID }
            do {
                try publish()
            } catch {
                pendingQueued = []
                pendingKeys = [:]
                lifecycle.removeQueued(runID: runID, idempotencyKey: idempotencyKey)
                throw error
            }
            runs[runID] = RunRecord(id: runID, trigger: .input, input: input)
            return RunHandle(runID: runID, disposition: .queued(position: position),
                             events: streamEvents ? attachStream(to: runID) : finishedStream(), instance: self)
        case .start:
            if let idempotencyKey { pendingKeys[idempotencyKey] = runID }
            runs[runID] = RunRecord(id: runID, trigger: .input, input: input)
            let events = streamEvents ? attachStream(to: runID) : finishedStream()
            try beginRun(runID, trigger: .input, input: input,
                         seed: [PendingMessage(source: "input", target: workflow.startIndex, payload: input)], spawn: !drivenByCaller)
            return RunHandle(runID: runID, disposition: .started, events: events, instance: self)
        }
    }

    func attachStream(to runID: String) -> WorkflowEventStream {
        guard let record = runs[runID], record.result == nil else { return finishedStream() }
        let (stream, continuation) = AsyncStream<[WorkflowEvent]>.makeStream()
        if runID == currentRunID { currentStreams.append(continuation) } else { runs[runID]?.streams.append(continuation) }
        return WorkflowEventStream(stream)
    }

    func finishedStream() -> WorkflowEventStream { WorkflowEventStream.finished }

    /// Begins run `runID` (the lifecycle already says it is running): clears a dead run's
    /// leftovers, seeds its messages, announces it, writes the run-start checkpoint and starts the
    /// superstep loop (in a task it owns, unless `spawn` is false and the caller drives it).
    /// If the store cannot commit, nothing changed and the error is thrown.
    func beginRun(_ runID: String, trigger: WorkflowEvent.Trigger, input: JSON, seed: [PendingMessage], spawn: Bool = true) throws {
        let saved = state
        cancelRequested = false
        currentRunID = runID
        currentStreams = runs[runID]?.streams ?? []
        runs[runID]?.streams = []
        runs[runID]?.phase = .running
        do {
            if trigger != .rewind { discardLeftovers(runID: runID, trigger: trigger) }
            if state.executors == nil { state.executors = try workflow.makeExecutors() }
            state.inFlight += seed
            state.status = .inProgress
            sink.emit(runID: runID, .runStarted(trigger: trigger, input: input))
            sink.emit(runID: runID, .status(.inProgress))
            try publish(checkpoint: trigger == .response ? .responseAccepted : .runStarted, runID: runID, status: .inProgress)
        } catch {
            state = saved
            currentRunID = nil
            currentStreams = []
            runs[runID] = nil
            _ = sink.drain()
            pendingKeys = [:]
            lifecycle.startAborted(runID: runID)
            throw error
        }
        activeTask = spawn ? Task { await self.driveRun(runID) } : nil
    }

    /// Whether the active run should stop: its task was cancelled or ``cancel()`` was called.
    var runCancelled: Bool { cancelRequested || Task.isCancelled }

    /// What a new run drops, saying so in a warning: after a failed or cancelled run, its
    /// in-flight messages (and, for a fresh input, its open requests); for any fresh input, values
    /// left waiting in fan-in buffers (they belong to earlier runs, not to this one).
    func discardLeftovers(runID: String, trigger: WorkflowEvent.Trigger) {
        var dropped: [String] = []
        if state.status == .failed || state.status == .cancelled {
            if !state.inFlight.isEmpty {
                let targets = state.inFlight.map { workflow.executorIDs[$0.target] }
                dropped.append("\(state.inFlight.count) message(s) in flight to \(Set(targets).sorted().joined(separator: ", "))")
                state.inFlight = []
            }
            if trigger == .input && !state.pending.isEmpty {
                dropped.append("open request(s) \(state.sortedPending.map(\.id).joined(separator: ", "))")
                state.pending = [:]
            }
        }
        if trigger == .input && !state.fanIn.isEmpty {
            let edges = state.fanIn.keys.map { workflow.edges[$0].id }.sorted()
            dropped.append("values waiting in fan-in \(edges.joined(separator: ", "))")
            state.fanIn = [:]
        }
        if !dropped.isEmpty {
            sink.emit(runID: runID, .warning(executor: nil, reason: "discarded what the previous (\(state.status.rawValue)) run left: " + dropped.joined(separator: "; "), valueType: nil))
        }
    }

    // MARK: The superstep loop

    func driveRun(_ runID: String) async {
        var used = 0
        var result: RunResult
        while true {
            if runCancelled {
                result = endRun(runID, status: .cancelled, error: WorkflowError(.cancelled, "run \(runID) was cancelled"), supersteps: used)
                break
            }
            if !inbox.isEmpty {
                state.inFlight += inbox
                inbox = []
            }
            if state.inFlight.isEmpty {
                result = convergeRun(runID, supersteps: used)
                break
            }
            if used >= workflow.maxSupersteps {
                let holders = Set(state.inFlight.map { workflow.executorIDs[$0.target] }).sorted()
                let error = WorkflowError(.superstepLimitExceeded,
                                          "run \(runID) did not converge within maxSupersteps (\(workflow.maxSupersteps)); executors still holding messages: \(holders.joined(separator: ", "))",
                                          details: ["maxSupersteps": .number(Double(workflow.maxSupersteps)), "executors": .array(holders.map { .string($0) })])
                result = endRun(runID, status: .failed, error: error, supersteps: used)
                break
            }
            used += 1
            state.superstep += 1
            let superstep = state.superstep
            sink.emit(runID: runID, .superstepStarted(superstep: superstep))
            let outcome = await executeSuperstep(runID: runID, superstep: superstep)
            if runCancelled {
                result = endRun(runID, status: .cancelled, error: WorkflowError(.cancelled, "run \(runID) was cancelled during superstep \(superstep)"),
                                supersteps: used, discarding: superstep)
                break
            }
            switch outcome {
            case .failure(let executor, let error):
                let failure: WorkflowError
                if let executor {
                    let text = (error as? WorkflowError)?.message ?? "\(error)"
                    failure = WorkflowError(.executorFailed, "executor '\(executor)' failed in superstep \(superstep): \(text)",
                                            details: ["executor": .string(executor), "superstep": .number(Double(superstep))])
                } else {
                    failure = (error as? WorkflowError) ?? WorkflowError(.executorFailed, "superstep \(superstep) failed: \(error)")
                }
                result = endRun(runID, status: .failed, error: failure, supersteps: used, discarding: superstep)
            case .success(let results):
                do {
                    try commitSuperstep(results, runID: runID, superstep: superstep)
                    continue
                } catch {
                    let failure = (error as? WorkflowError) ?? WorkflowError(.executorFailed, "\(error)")
                    result = endRun(runID, status: .failed, error: failure, supersteps: used, discarding: superstep)
                }
            }
            break
        }
        finishRun(runID, result)
    }

    enum SuperstepOutcome {
        case success([SuperstepResult])
        case failure(executor: String?, error: any Error)
    }

    /// Runs one superstep. A lone executor that allows it runs inline on the actor; otherwise
    /// every executor with messages runs in a child task of one task group (concurrently), and a
    /// failure cancels and awaits the others. Either way the result is the same set of copies.
    func executeSuperstep(runID: String, superstep: Int) async -> SuperstepOutcome {
        let messages = state.inFlight
        let executors = state.executors!
        let first = messages[0].target
        var lone = true
        for message in messages where message.target != first {
            lone = false
            break
        }
        if lone && executors[first].runsInline {
            var executor = executors[first]
            var context = ExecutorContext(executorID: workflow.executorIDs[first], scope: makeScope(runID: runID, superstep: superstep))
            do {
                try await Self.invoke(&executor, id: workflow.executorIDs[first], messages: messages, context: &context)
            } catch {
                return .failure(executor: workflow.executorIDs[first], error: error)
            }
            return .success([SuperstepResult(index: first, executor: executor, context: context)])
        }
        // A superstep that may take long: what is waiting for a group commit is committed (and its
        // events published) first, so events stay live.
        do { try flushDeferred() } catch { return .failure(executor: nil, error: error) }
        var byTarget: [Int: [PendingMessage]] = [:]
        for message in messages { byTarget[message.target, default: []].append(message) }
        return await runConcurrently(byTarget.sorted { $0.key < $1.key }, executors: executors, runID: runID, superstep: superstep)
    }

    private enum ChildOutcome: Sendable {
        case executor(SuperstepResult)
        case flusher
    }

    private func runConcurrently(_ groups: [(key: Int, value: [PendingMessage])], executors: [any Executor],
                                 runID: String, superstep: Int) async -> SuperstepOutcome {
        let (wakes, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        sink.setWake(wake)
        currentWake = wake
        defer {
            sink.setWake(nil)
            currentWake = nil
            wake.finish()
        }
        let ids = workflow.executorIDs
        let scope = makeScope(runID: runID, superstep: superstep)
        let work = groups.map { (index: $0.key, messages: $0.value, executor: executors[$0.key],
                                 context: ExecutorContext(executorID: ids[$0.key], scope: scope)) }
        do {
            let results = try await withThrowingTaskGroup(of: ChildOutcome.self) { group in
                // Publishes events while the executors run, so they stream live; on cancel() it
                // throws, which cancels the group (and so every executor of the superstep).
                group.addTask {
                    for await _ in wakes {
                        if await self.flushLiveOrStop() { throw CancellationError() }
                    }
                    return .flusher
                }
                for item in work {
                    group.addTask {
                        var executor = item.executor
                        var context = item.context
                        do {
                            try await Self.invoke(&executor, id: ids[item.index], messages: item.messages, context: &context)
                        } catch {
                            throw ExecutorFailure(executor: ids[item.index], error: error)
                        }
                        return .executor(SuperstepResult(index: item.index, executor: executor, context: context))
                    }
                }
                var results: [SuperstepResult] = []
                while results.count < work.count, let next = try await group.next() {
                    if case .executor(let result) = next { results.append(result) }
                }
                wake.finish()
                return results.sorted { $0.index < $1.index }
            }
            return .success(results)
        } catch let failure as ExecutorFailure {
            return .failure(executor: failure.executor, error: failure.error)
        } catch {
            return .failure(executor: nil, error: error)
        }
    }

    func makeScope(runID: String, superstep: Int) -> ExecutorContext.Scope {
        ExecutorContext.Scope(instanceName: name, runID: runID, superstep: superstep, committedState: state.sharedState,
                              sink: sink, outputExecutors: workflow.outputExecutors)
    }

    /// Delivers an executor's messages one at a time, in order, with its events.
    static func invoke(_ executor: inout any Executor, id: String, messages: [PendingMessage], context: inout ExecutorContext) async throws {
        let sink = context.sink
        for message in messages {
            sink.emit(runID: context.runID, .executorInvoked(executor: id, superstep: context.superstep, message: message.payload,
                                                             requestID: message.request?.id))
            do {
                if let request = message.request {
                    try await executor.handleResponse(message.payload, to: request, context: &context)
                } else {
                    try await executor.handle(message.payload, context: &context)
                }
            } catch {
                // A sibling cancelled because another executor failed (or the run was cancelled)
                // is not itself a failure.
                if !(error is CancellationError) && !Task.isCancelled {
                    let text = (error as? WorkflowError)?.message ?? "\(error)"
                    sink.emit(runID: context.runID, .executorFailed(executor: id, superstep: context.superstep, error: text))
                }
                throw error
            }
            sink.emit(runID: context.runID, .executorCompleted(executor: id, superstep: context.superstep))
        }
    }

    // MARK: The boundary

    /// Applies a successful superstep: executor copies, state writes (in executor id order, so
    /// the greatest id wins a key), routing of sent messages, outputs; then the checkpoint, its
    /// events and the status commit together. The state is changed in place (copying the executor
    /// array would cost more than the superstep); an undo log puts it back if the commit fails.
    func commitSuperstep(_ results: [SuperstepResult], runID: String, superstep: Int) throws {
        // Only a store commit can fail; without a store no undo log is kept.
        let undoable = configuration.store != nil
        var replaced: [(index: Int, executor: any Executor)] = []
        var overwritten: [(key: String, value: JSON?)] = []
        let previousFanIn = undoable ? state.fanIn : [:]
        let previousInFlight = undoable ? state.inFlight : []
        for position in results.indices {
            let index = results[position].index
            if undoable { replaced.append((index, state.executors![index])) }
            state.executors![index] = results[position].executor
            if !results[position].context.stagedState.isEmpty {
                for (key, value) in results[position].context.stagedState {
                    if undoable { overwritten.append((key, state.sharedState[key])) }
                    if let value { state.sharedState[key] = value } else { state.sharedState.removeValue(forKey: key) }
                }
            }
        }
        state.inFlight.removeAll(keepingCapacity: true)
        for position in results.indices {
            for message in results[position].context.sent {
                route(message, from: results[position].index, runID: runID, into: &state)
            }
        }
        sink.emit(runID: runID, .superstepCompleted(superstep: superstep))
        do {
            try publish(checkpoint: .superstep, runID: runID, deferrable: true)
        } catch {
            for (index, executor) in replaced.reversed() { state.executors![index] = executor }
            for (key, value) in overwritten.reversed() { state.sharedState[key] = value }
            state.fanIn = previousFanIn
            state.inFlight = previousInFlight
            throw error
        }
        for position in results.indices where !results[position].context.outputs.isEmpty {
            runs[runID]?.outputs += results[position].context.outputs
        }
    }

    /// Routes one sent message along the sender's edges into `next`'s in-flight messages (or a
    /// fan-in buffer). Whatever no edge accepts is reported in a `warning`, never dropped silently.
    func route(_ message: ExecutorContext.Outgoing, from source: Int, runID: String, into next: inout InstanceState) {
        let sourceID = workflow.executorIDs[source]
        func warn(_ reason: String) {
            sink.emit(runID: runID, .warning(executor: sourceID, reason: reason, valueType: message.payload.typeName))
        }
        if let target = message.target, workflow.index(of: target) == nil {
            warn("'\(sourceID)' sent a message to '\(target)', which is not an executor of workflow '\(workflow.name)'")
            return
        }
        var accepted = false
        for edgeIndex in workflow.outgoing[source] {
            let edge = workflow.edges[edgeIndex]
            let targets = workflow.edgeTargetIndices[edgeIndex]
            switch edge {
            case .direct(_, let to, let condition):
                if let target = message.target, target != to { continue }
                if let condition {
                    do {
                        guard try condition.evaluate(message.payload, next.sharedState) else { continue }
                    } catch {
                        warn("condition '\(condition.description)' on edge \(edge.id) failed: \(error)")
                        continue
                    }
                }
                next.inFlight.append(PendingMessage(source: sourceID, target: targets[0], payload: message.payload))
                accepted = true
            case .fanOut(_, let to, let selection):
                var chosen = Array(to.indices)
                if let selection {
                    do {
                        let picked = try selection.select(message.payload, next.sharedState, to)
                        chosen = []
                        for id in picked {
                            if let position = to.firstIndex(of: id) {
                                if !chosen.contains(position) { chosen.append(position) }
                            } else {
                                warn("selection '\(selection.description)' on edge \(edge.id) picked '\(id)', which is not one of its targets")
                            }
                        }
                    } catch {
                        warn("selection '\(selection.description)' on edge \(edge.id) failed: \(error)")
                        continue
                    }
                }
                for position in chosen {
                    if let target = message.target, target != to[position] { continue }
                    next.inFlight.append(PendingMessage(source: sourceID, target: targets[position], payload: message.payload))
                    accepted = true
                }
            case .switchCase(_, let cases, _):
                var pick = targets[targets.count - 1]  // the default
                for (position, switchCase) in cases.enumerated() {
                    do {
                        if try switchCase.condition.evaluate(message.payload, next.sharedState) {
                            pick = targets[position]
                            break
                        }
                    } catch {
                        warn("switch case '\(switchCase.condition.description)' on edge \(edge.id) failed: \(error); trying the next case")
                    }
                }
                if let target = message.target, target != workflow.executorIDs[pick] { continue }
                next.inFlight.append(PendingMessage(source: sourceID, target: pick, payload: message.payload))
                accepted = true
            case .fanIn(let from, let to):
                if let target = message.target, target != to { continue }
                var buffers = next.fanIn[edgeIndex] ?? Array(repeating: [], count: from.count)
                buffers[workflow.fanInPositions[edgeIndex]![sourceID]!].append(message.payload)
                if buffers.allSatisfy({ !$0.isEmpty }) {
                    var values: [JSON] = []
                    for position in buffers.indices { values.append(buffers[position].removeFirst()) }
                    next.inFlight.append(PendingMessage(source: "fan-in:\(edge.id)", target: targets[0], payload: .array(values)))
                }
                next.fanIn[edgeIndex] = buffers.allSatisfy(\.isEmpty) ? nil : buffers
                accepted = true
            }
        }
        if !accepted {
            if let target = message.target {
                warn("no edge from '\(sourceID)' to '\(target)' accepted the message")
            } else if workflow.outgoing[source].isEmpty {
                warn("'\(sourceID)' sent a message but has no outgoing edges")
            } else {
                warn("no outgoing edge of '\(sourceID)' accepted the message (every condition was false)")
            }
        }
    }

    // MARK: Ending runs

    /// The run converged: its status comes from the pending set, not from what it emitted.
    func convergeRun(_ runID: String, supersteps: Int) -> RunResult {
        state.status = state.pending.isEmpty ? .idle : .idleWithPendingRequests
        sink.emit(runID: runID, .status(state.status))
        do {
            try publish(status: state.status)
        } catch {
            return endRun(runID, status: .failed, error: (error as? WorkflowError) ?? WorkflowError(.storeFailed, "\(error)"), supersteps: supersteps)
        }
        return RunResult(runID: runID, status: state.status, outputs: runs[runID]?.outputs ?? [], error: nil,
                         pendingRequests: state.sortedPending, supersteps: supersteps)
    }

    /// Ends a run as failed or cancelled. If `superstep` is given, that superstep is discarded:
    /// its staged writes and executor copies were never applied, its counter is rolled back and
    /// the requests it raised are withdrawn. The instance keeps its last checkpoint; what was in
    /// flight stays for a rewind (a new run discards it with a warning).
    func endRun(_ runID: String, status: InstanceStatus, error: WorkflowError, supersteps: Int, discarding superstep: Int? = nil) -> RunResult {
        if let superstep { state.superstep = superstep - 1 }
        returnToDurableState()
        if !inbox.isEmpty {
            state.inFlight += inbox
            inbox = []
        }
        state.status = status
        if status == .failed { sink.emit(runID: runID, .runFailed(error: error)) }
        sink.emit(runID: runID, .status(status))
        do { try publish(status: status) } catch {
            // The store is failing: the events are dropped rather than published unlogged.
        }
        if let superstep {
            state.pending = state.pending.filter { !($0.value.runID == runID && $0.value.superstep == superstep) }
        }
        return RunResult(runID: runID, status: status, outputs: runs[runID]?.outputs ?? [], error: error,
                         pendingRequests: state.sortedPending, supersteps: supersteps)
    }

    /// Records the result, wakes waiters, ends the run's streams, and starts the next queued run.
    /// The flusher's step: publish live events; true if the run was asked to cancel.
    func flushLiveOrStop() -> Bool {
        flushLive()
        return cancelRequested
    }

    func finishRun(_ runID: String, _ result: RunResult) {
        runs[runID]?.streams += currentStreams
        currentStreams = []
        completeRecord(runID, result)
        currentRunID = nil
        activeTask = nil
        cancelRequested = false
        switch lifecycle.runFinished(runID: runID) {
        case .becomeIdle, .handOverToMaintenance:
            break
        case .startQueued(let queued):
            startQueued(queued)
        }
    }

    func completeRecord(_ runID: String, _ result: RunResult) {
        guard var record = runs[runID] else { return }
        record.phase = .finished(result)
        for waiter in record.waiters { waiter.resume(returning: result) }
        for stream in record.streams { stream.finish() }
        record.waiters = []
        record.streams = []
        record.outputs = []
        runs[runID] = record
        finishedRuns.append(runID)
        if finishedRuns.count > configuration.runHistoryLimit {
            let keyed = Set(lifecycle.idempotencyKeys.values)
            var kept: [String] = []
            var excess = finishedRuns.count - configuration.runHistoryLimit
            for id in finishedRuns {
                if excess > 0 && !keyed.contains(id) {
                    runs[id] = nil
                    excess -= 1
                } else {
                    kept.append(id)
                }
            }
            finishedRuns = kept
        }
    }

    func startQueued(_ queued: RunLifecycle.QueuedRun) {
        do {
            try beginRun(queued.runID, trigger: .input, input: queued.input,
                         seed: [PendingMessage(source: "input", target: workflow.startIndex, payload: queued.input)])
        } catch {
            // beginRun released the lifecycle; tell the run's waiters and try the next one.
            let failure = (error as? WorkflowError) ?? WorkflowError(.storeFailed, "\(error)")
            runs[queued.runID] = runs[queued.runID] ?? RunRecord(id: queued.runID, trigger: .input, input: queued.input)
            completeRecord(queued.runID, RunResult(runID: queued.runID, status: .failed, outputs: [], error: failure,
                                                   pendingRequests: state.sortedPending, supersteps: 0))
            if let next = lifecycle.dequeueIfIdle() { startQueued(next) }
        }
    }
}

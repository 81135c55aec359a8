import Logging
import Tracing

extension WorkflowInstance {
    /// A run of inline supersteps suspends at least this often, so that whatever waits for the
    /// actor (a response, a cancel, a read, a commit's caller resuming) gets in between two
    /// supersteps instead of at the end of the run. (A suspension hands the thread over, which
    /// costs tens of microseconds here: often enough for people, rarely enough to cost ~2%.)
    static let yieldInterval: Double = 0.001

    enum SuperstepOutcome {
        case success([SuperstepResult])
        case failure(executor: String?, error: any Error)
    }

    // MARK: The superstep loop

    /// Runs supersteps until the run converges, fails, is cancelled or a commit fails. Between
    /// supersteps it takes responses from the inbox; at least every ``yieldInterval`` it suspends
    /// so that whatever waits for the actor (a response, a cancel, a read) gets in.
    func driveRun(_ runID: String) async {
        // The run's span (started as the run began) is the current one while it runs: its
        // supersteps, steps and commits are its children, and the engine's log entries carry it.
        guard let span = runSpan else {
            await finishRun(runID, await runToEnd(runID))
            return
        }
        let result = await ServiceContext.$current.withValue(span.context) { await runToEnd(runID) }
        endRunSpan(result)
        await finishRun(runID, result)
    }

    /// Drives a run's supersteps until it ends; its result.
    private func runToEnd(_ runID: String) async -> RunResult {
        var progress = RunProgress(limit: workflow.maxSupersteps)
        var lastYield = Timestamp.monotonic()
        let result: RunResult
        // The run's time bound: past it, the superstep in flight is interrupted (its flusher is
        // woken) and the run fails at the check that follows.
        let deadline = workflow.runTimeout.map { seconds in
            Task {
                do { try await Task.sleep(for: .milliseconds(Int64((seconds * 1000).rounded(.up)))) } catch { return }
                await self.runTimedOut(runID)
            }
        }
        defer { deadline?.cancel() }
        while true {
            // Responses accepted since the last boundary are delivered in the next superstep (a
            // run that ends here keeps them in flight, as it keeps what the inbox holds).
            let responses = lifecycle.takeInbox()
            if !responses.isEmpty { state.inFlight += responses }
            switch progress.atBoundary(storeFailure: durability.failure, stop: lifecycle.stopRequest, taskCancelled: Task.isCancelled,
                                       workInFlight: !state.inFlight.isEmpty, timedOut: timedOutRunID == runID) {
            case .timeOut:
                result = await endRun(runID, status: .failed, error: timeoutError(runID), supersteps: progress.used)
            case .fail(let failure):
                result = await endRun(runID, status: .failed, error: failure, supersteps: progress.used)
            case .suspend:
                result = await suspendRun(runID, supersteps: progress.used)
            case .cancel:
                result = await endRun(runID, status: .cancelled, error: WorkflowError(.cancelled, "run \(runID) was cancelled"), supersteps: progress.used)
            case .converge:
                result = await convergeRun(runID, supersteps: progress.used)
            case .exceedLimit:
                let holders = Set(state.inFlight.map { workflow.executorIDs[$0.target] }).sorted()
                let error = WorkflowError(.superstepLimitExceeded,
                                          "run \(runID) did not converge within maxSupersteps (\(workflow.maxSupersteps)); executors still holding messages: \(holders.joined(separator: ", "))",
                                          details: ["maxSupersteps": .number(Double(workflow.maxSupersteps)), "executors": .array(holders.map { .string($0) })])
                result = await endRun(runID, status: .failed, error: error, supersteps: progress.used)
            case .runSuperstep:
                if let ended = await runSuperstep(runID, used: progress.used) {
                    result = ended
                    break
                }
                // Whoever waits for the actor gets in (the clock is read every 8 supersteps).
                if progress.used & 7 == 0 && Timestamp.monotonic() - lastYield >= Self.yieldInterval {
                    await Task.yield()
                    lastYield = Timestamp.monotonic()
                }
                continue
            }
            break
        }
        if timedOutRunID == runID { timedOutRunID = nil }
        return result
    }

    /// The run's `runTimeout` passed: it fails at the next check, and a superstep in flight is
    /// interrupted now.
    func runTimedOut(_ runID: String) {
        guard lifecycle.activeRunID == runID else { return }
        timedOutRunID = runID
        currentWake?.yield()
    }

    /// The error of a run that took longer than its `runTimeout`.
    func timeoutError(_ runID: String) -> WorkflowError {
        let seconds = workflow.runTimeout ?? 0
        return WorkflowError(.executorFailed, "run \(runID) took longer than its runTimeout (\(seconds) s) and was stopped",
                             details: ["runId": .string(runID), "runTimeout": .number(seconds)])
    }

    /// Runs one superstep of run `runID` (its `used`th) and applies it: nil if the run goes on,
    /// or the run's result if it ended there.
    private func runSuperstep(_ runID: String, used: Int) async -> RunResult? {
        guard let tracer = configuration.tracer else { return await runSuperstepUntraced(runID, used: used) }
        let attributes: SpanAttributes = ["workflow.superstep": .int64(Int64(state.superstep + 1)), "workflow.run.id": .string(runID)]
        return await tracer.inSpan("workflow.superstep", attributes: attributes) { _ in await runSuperstepUntraced(runID, used: used) }
    }

    private func runSuperstepUntraced(_ runID: String, used: Int) async -> RunResult? {
        // The counter moves at the boundary: a checkpoint written while the superstep runs (a
        // response accepted) records the boundary it would resume from.
        let superstep = state.superstep + 1
        let time = Timestamp.now()
        sink.emit(runID: runID, .superstepStarted(superstep: superstep), time: time)
        let outcome = await executeSuperstep(runID: runID, superstep: superstep, time: time)
        switch RunProgress.afterSuperstep(storeFailure: durability.failure, stop: lifecycle.stopRequest, taskCancelled: Task.isCancelled,
                                          timedOut: timedOutRunID == runID) {
        case .timeOut:
            return await endRun(runID, status: .failed, error: timeoutError(runID), supersteps: used, discarding: superstep)
        case .fail(let failure):
            return await endRun(runID, status: .failed, error: failure, supersteps: used, discarding: superstep)
        case .suspend:
            return await suspendRun(runID, supersteps: used)
        case .cancel:
            return await endRun(runID, status: .cancelled, error: WorkflowError(.cancelled, "run \(runID) was cancelled during superstep \(superstep)"),
                                supersteps: used, discarding: superstep)
        case .landThenSuspend, .record:
            break
        }
        switch outcome {
        case .failure(let executor, let error):
            let failure = Self.failure(of: executor, error, superstep: superstep)
            var metadata: Logger.Metadata = ["instance": "\(name)", "run": "\(runID)", "superstep": "\(superstep)", "error": "\(failure.message)"]
            if let executor { metadata["executor"] = "\(executor)" }
            configuration.logger.warning("a run failed: an executor failed", metadata: metadata)
            return await endRun(runID, status: .failed, error: failure, supersteps: used, discarding: superstep)
        case .success(let results):
            if let failure = openRequestLimitFailure(results, superstep: superstep) ?? waitLimitFailure(results, superstep: superstep) {
                configuration.logger.warning("a run failed: too many open requests",
                                             metadata: ["instance": "\(name)", "run": "\(runID)", "error": "\(failure.message)"])
                return await endRun(runID, status: .failed, error: failure, supersteps: used, discarding: superstep)
            }
            do {
                let staged = try applySuperstep(results, runID: runID, superstep: superstep, time: time)
                if case .done = staged {} else { try await finish(staged) }
                if !results[0].context.outputs.isEmpty || results.count > 1 {
                    for position in results.indices where !results[position].context.outputs.isEmpty {
                        runs[runID]?.outputs += results[position].context.outputs
                    }
                }
                return nil
            } catch {
                let failure = durability.failure ?? (error as? WorkflowError) ?? WorkflowError(.storeFailed, "\(error)", cause: error)
                return await endRun(runID, status: .failed, error: failure, supersteps: used)
            }
        }
    }

    /// The failure of a superstep whose executors raised requests beyond the instance's
    /// ``InstanceConfiguration/openRequestLimit`` (requests of earlier runs that ended waiting
    /// stay open, so an instance nobody answers would otherwise collect them without end).
    func openRequestLimitFailure(_ results: [SuperstepResult], superstep: Int) -> WorkflowError? {
        guard let raising = results.first(where: { $0.context.requestsRaised > 0 }) else { return nil }
        let raised = results.reduce(0) { $0 + $1.context.requestsRaised }
        let limit = configuration.openRequestLimit
        guard state.pending.count + raised > limit else { return nil }
        let executor = workflow.executorIDs[raising.index]
        let error = WorkflowError(.executorFailed, "instance '\(name)' already has \(state.pending.count) open requests and may have at most \(limit): answer them (request.respond) or reset the instance",
                                  details: ["instance": .string(name), "openRequests": .number(Double(state.pending.count)), "limit": .number(Double(limit))])
        return Self.failure(of: executor, error, superstep: superstep)
    }

    /// The failure of a superstep whose executors armed waits beyond the instance's
    /// ``InstanceConfiguration/waitLimit``.
    func waitLimitFailure(_ results: [SuperstepResult], superstep: Int) -> WorkflowError? {
        guard let arming = results.first(where: { !$0.context.armed.isEmpty }) else { return nil }
        let armed = results.reduce(0) { $0 + $1.context.armed.count }
        let limit = configuration.waitLimit
        guard state.waits.count + armed > limit else { return nil }
        let error = WorkflowError(.limitExceeded, "instance '\(name)' already has \(state.waits.count) armed waits and may have at most \(limit) (waitLimit): signal them, wait for them, or reset the instance",
                                  details: ["instance": .string(name), "waits": .number(Double(state.waits.count)), "limit": "waitLimit",
                                            "value": .number(Double(limit))])
        return Self.failure(of: workflow.executorIDs[arming.index], error, superstep: superstep)
    }

    /// The run's error for a failed superstep. An executor's own ``WorkflowError`` keeps its code
    /// (and becomes the cause); any other error is `executorFailed` with it as the cause.
    static func failure(of executor: String?, _ error: any Error, superstep: Int) -> WorkflowError {
        guard let executor else {
            return (error as? WorkflowError) ?? WorkflowError(.executorFailed, "superstep \(superstep) failed: \(error)", cause: error)
        }
        let own = error as? WorkflowError
        var details: JSONObject = ["executor": .string(executor), "superstep": .number(Double(superstep))]
        if let own, case .object(let extra) = own.details {
            for (key, value) in extra where details[key] == nil { details[key] = value }
        }
        return WorkflowError(own?.code ?? .executorFailed, "executor '\(executor)' failed in superstep \(superstep): \(own?.message ?? "\(error)")",
                             details: .object(details), cause: error)
    }

    /// Runs one superstep. A lone executor that allows it runs inline on the actor; otherwise
    /// every executor with messages runs in a child task of one task group (concurrently), and a
    /// failure cancels and awaits the others. Either way the result is the same set of copies,
    /// and the superstep's scope is closed when it returns: nothing of it lands afterwards.
    func executeSuperstep(runID: String, superstep: Int, time: Double) async -> SuperstepOutcome {
        let messages = state.inFlight
        let executors = state.executors!
        let first = messages[0].target
        var lone = true
        for message in messages where message.target != first {
            lone = false
            break
        }
        let scopeID = sink.openScope()
        defer { sink.closeScope(scopeID) }
        // A retry may sleep: never on the actor.
        let inline = lone && executors[first].runsInline && workflow.retryPolicies[first] == nil
        var answered: Set<String> = []
        for message in messages { if let id = message.deliveryID { answered.insert(id) } }
        let scope = ExecutorContext.Scope(instanceName: name, runID: runID, superstep: superstep, committedState: state.sharedState,
                                          sink: sink, scopeID: scopeID, outputExecutors: workflow.outputExecutors,
                                          time: inline ? time : nil, answered: answered, clock: configuration.clock)
        if inline {
            var executor = executors[first]
            var context = ExecutorContext(executorID: workflow.executorIDs[first], scope: scope)
            do {
                try await Self.invoke(&executor, id: workflow.executorIDs[first], messages: messages, retry: workflow.retryPolicies[first],
                                      context: &context, tracer: configuration.tracer)
            } catch {
                return .failure(executor: workflow.executorIDs[first], error: error)
            }
            return .success([SuperstepResult(index: first, executor: executor, context: context)])
        }
        // A superstep that may take long: what waits for a group commit is committed (and its
        // events published) first, so events stay live.
        if !commits.isEmpty, let store = configuration.store {
            do { try await commitWaiting(through: nil, store: store) } catch { return .failure(executor: nil, error: error) }
        }
        var byTarget: [Int: [PendingMessage]] = [:]
        for message in messages { byTarget[message.target, default: []].append(message) }
        return await runConcurrently(byTarget.sorted { $0.key < $1.key }, executors: executors, scope: scope)
    }

    private enum ChildOutcome: Sendable {
        case executor(SuperstepResult)
        case flusher
    }

    private func runConcurrently(_ groups: [(key: Int, value: [PendingMessage])], executors: [any Executor],
                                 scope: ExecutorContext.Scope) async -> SuperstepOutcome {
        let (wakes, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        sink.setWake(wake)
        currentWake = wake
        defer {
            sink.setWake(nil)
            currentWake = nil
            wake.finish()
        }
        let ids = workflow.executorIDs
        let policies = workflow.retryPolicies
        let tracer = configuration.tracer
        let work = groups.map { (index: $0.key, messages: $0.value, executor: executors[$0.key],
                                 context: ExecutorContext(executorID: ids[$0.key], scope: scope)) }
        do {
            let results = try await withThrowingTaskGroup(of: ChildOutcome.self) { group in
                // Publishes events while the executors run, so they stream live; on a cancel or a
                // failed commit it throws, which cancels the group (every executor of the superstep).
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
                            try await Self.invoke(&executor, id: ids[item.index], messages: item.messages, retry: policies[item.index],
                                                  context: &context, tracer: tracer)
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

    /// The flusher's step: publish live events; true if the superstep must stop (a cancel, or a
    /// commit that failed).
    func flushLiveOrStop() async -> Bool {
        await flushLive()
        return lifecycle.stopRequest?.interruptsSuperstep == true || durability.failure != nil
            || (timedOutRunID != nil && timedOutRunID == lifecycle.activeRunID)
    }

    /// Delivers an executor's messages one at a time, in order, with its events. The first
    /// executor of a superstep to fail closes the superstep's scope and says so: whatever its
    /// siblings do after that (they are being cancelled) does not land.
    ///
    /// With a retry policy, a failed invocation the policy retries is undone (the executor and
    /// its context as they were before it) and tried again: after a delay of a second or less,
    /// in this superstep; after a longer one, by a wait that delivers the message again when it
    /// fires (a wake's own delivery is always retried in the superstep).
    /// One message to an executor: a response to its request, a wake of its wait, or a message.
    private static func deliver(_ executor: inout any Executor, _ payload: JSON, request: WorkflowRequest?, wake: WorkflowWake?,
                                context: inout ExecutorContext) async throws {
        if let request {
            try await executor.handleResponse(payload, to: request, context: &context)
        } else if let wake {
            try await executor.handleWake(wake, context: &context)
        } else {
            try await executor.handle(payload, context: &context)
        }
    }

    static func invoke(_ executor: inout any Executor, id: String, messages: [PendingMessage], retry: RetryPolicy?,
                       context: inout ExecutorContext, tracer: (any Tracer)? = nil) async throws {
        let scope = context.scope
        for message in messages {
            var payload = message.payload, request = message.request, wake = message.wake, attempt = 1
            if let wait = wake?.wait, let again = wait.retry {
                // A retry's wait fired: the failed message again, as its next try.
                (payload, request, wake, attempt) = (wait.input, again.request, nil, again.attempt)
            }
            context.source = request == nil && wake == nil ? message.source : nil
            while true {
                let before = (executor, context)
                context.attempt = attempt
                scope.emit(.executorInvoked(executor: id, superstep: scope.superstep, message: payload, requestID: request?.id))
                do {
                    if let tracer {
                        // Its span is the current one while it works: an exec step's program
                        // gets it as TRACEPARENT.
                        var attributes = SpanAttributes()
                        attributes.reserveCapacity(5)
                        attributes.set("executor.id", value: .string(id))
                        attributes.set("workflow.superstep", value: .int64(Int64(scope.superstep)))
                        attributes.set("workflow.run.id", value: .string(scope.runID))
                        if attempt > 1 { attributes.set("executor.attempt", value: .int64(Int64(attempt))) }
                        if let request { attributes.set("workflow.request.id", value: .string(request.id)) }
                        try await tracer.inSpan("executor.process", attributes: attributes) { _ in
                            try await Self.deliver(&executor, payload, request: request, wake: wake, context: &context)
                        }
                    } else {
                        try await Self.deliver(&executor, payload, request: request, wake: wake, context: &context)
                    }
                } catch {
                    if let retry, !Task.isCancelled, retry.retries(error, attempt: attempt) {
                        (executor, context) = before
                        // A server that said when to come back (HTTP's Retry-After) is not asked sooner.
                        let asked = (error as? WorkflowError)?.details["retryAfter"]?.doubleValue ?? 0
                        let delay = max(retry.delay(after: attempt, random: Double.random(in: 0..<1)), min(asked, retry.maximum))
                        let durable = delay > RetryPolicy.inlineDelayLimit && wake == nil
                        scope.emit(.executorRetrying(executor: id, superstep: scope.superstep, attempt: attempt, attempts: retry.attempts,
                                                     delay: delay, error: (error as? WorkflowError)?.message ?? "\(error)", durable: durable))
                        if durable {
                            context.armRetry(payload, request: request, attempt: attempt + 1, after: delay)
                            break
                        }
                        try await Task.sleep(for: .milliseconds(Int64((delay * 1000).rounded())))
                        attempt += 1
                        continue
                    }
                    // A sibling cancelled because another executor failed (or the run was cancelled)
                    // is not itself a failure.
                    if !(error is CancellationError) && !Task.isCancelled, scope.sink.closeScope(scope.scopeID) {
                        let text = (error as? WorkflowError)?.message ?? "\(error)"
                        scope.sink.emit(runID: scope.runID, .executorFailed(executor: id, superstep: scope.superstep, error: text))
                    }
                    throw error
                }
                scope.emit(.executorCompleted(executor: id, superstep: scope.superstep))
                break
            }
        }
    }

    // MARK: The boundary

    /// Applies a successful superstep: executor copies, state writes (in executor id order, so
    /// the greatest id wins a key), routing of sent messages; then stages the checkpoint, its
    /// events and the status to commit together (or to wait for a group commit). If the commit
    /// fails, the run ends and the instance returns to its last committed checkpoint.
    func applySuperstep(_ results: [SuperstepResult], runID: String, superstep: Int, time: Double) throws -> Staged {
        state.superstep = superstep
        // An inline superstep's events share its time; a concurrent one's boundary is now.
        let time = results.count == 1 && results[0].context.scope.time != nil ? time : Timestamp.now()
        for position in results.indices {
            let index = results[position].index
            state.executors![index] = results[position].executor
            let tracking = !state.changes.isEverything
            if tracking { state.changes.executors.insert(workflow.executorIDs[index]) }
            for (key, value) in results[position].context.stagedState {
                if let value { state.sharedState[key] = value } else { state.sharedState.removeValue(forKey: key) }
                if tracking { state.changes.sharedKeys.insert(key) }
            }
        }
        var inFlight = state.inFlight
        state.inFlight = []
        inFlight.removeAll(keepingCapacity: true)
        // Kept to see which buffers routing moved (the router copies a buffer it changes anyway).
        let previousFanIn = state.changes.isEverything ? [:] : state.fanIn
        var fanIn = state.fanIn
        state.fanIn = [:]
        var warnings: [EdgeRouter.Warning] = []
        let shared = state.sharedState
        for position in results.indices {
            for message in results[position].context.sent {
                guard let tracer = configuration.tracer else {
                    EdgeRouter.route(message, from: results[position].index, in: workflow, state: shared,
                                     inFlight: &inFlight, fanIn: &fanIn, warnings: &warnings)
                    continue
                }
                tracedRoute(message, from: results[position].index, superstep: superstep, state: shared, tracer: tracer,
                            inFlight: &inFlight, fanIn: &fanIn, warnings: &warnings)
            }
        }
        state.inFlight = inFlight
        for position in results.indices where !results[position].context.armed.isEmpty {
            for wait in results[position].context.armed where !results[position].context.scope.answered.contains(wait.id) {
                arm(wait, runID: runID, time: time)
            }
        }
        if !state.changes.isEverything && (!fanIn.isEmpty || !previousFanIn.isEmpty) {
            // Buffers that routing left alone share their storage with the old ones (== is quick).
            for (edgeIndex, buffers) in fanIn where previousFanIn[edgeIndex] != buffers {
                state.changes.edges.insert(workflow.edges[edgeIndex].id)
            }
            for edgeIndex in previousFanIn.keys where fanIn[edgeIndex] == nil {
                state.changes.edges.insert(workflow.edges[edgeIndex].id)
            }
        }
        state.fanIn = fanIn
        for warning in warnings {
            sink.emit(runID: runID, .warning(executor: warning.executor, reason: warning.reason, valueType: warning.valueType), time: time)
        }
        sink.emit(runID: runID, .superstepCompleted(superstep: superstep), time: time)
        return try stage(checkpoint: .superstep, runID: runID, deferrable: true, time: time)
    }

    // MARK: Ending runs

    /// The run converged: its status comes from the pending set, not from what it emitted. If
    /// the store cannot take it, the run did not end in the store: it fails (see ``endRun``).
    func convergeRun(_ runID: String, supersteps: Int) async -> RunResult {
        // From here a response is for a continuation after this run (it took all those for it).
        state.inFlight += lifecycle.runEnding(runID: runID)
        let status = state.quiescentStatus
        state.status = status
        sink.emit(runID: runID, .status(status))
        do {
            try await publish(status: status)
        } catch {
            let failure = durability.failure ?? (error as? WorkflowError) ?? WorkflowError(.storeFailed, "\(error)", cause: error)
            return await endRun(runID, status: .failed, error: failure, supersteps: supersteps)
        }
        return RunResult(runID: runID, status: status, outputs: runs[runID]?.outputs ?? [], error: nil,
                         pendingRequests: state.sortedPending, supersteps: supersteps)
    }

    /// Stops a run without ending it (the process stops): what waits for a group commit is
    /// committed, nothing of the current superstep lands, and the store keeps the run in progress
    /// at its last checkpoint, from which recovery resumes it.
    func suspendRun(_ runID: String, supersteps: Int) async -> RunResult {
        // Responses accepted for the run stay in flight (and in the store), for the resumed run.
        state.inFlight += lifecycle.runEnding(runID: runID)
        sink.closeOpenScope()
        if durability.failure == nil {
            // Events of the interrupted superstep still buffered are dropped: the log ends at the
            // last boundary that was written, where recovery picks up.
            sink.discard(restartingAt: commits.nextSeqAfterKept)
            if let store = configuration.store, !commits.isEmpty { try? await commitWaiting(through: nil, store: store) }
        }
        configuration.logger.notice("suspended a run: it resumes when the instance is recovered",
                                    metadata: ["instance": "\(name)", "run": "\(runID)"])
        return RunResult(runID: runID, status: .inProgress, outputs: runs[runID]?.outputs ?? [],
                         error: WorkflowError(.interrupted, "run \(runID) was suspended: the process is stopping; it resumes from its last checkpoint when the instance is recovered"),
                         pendingRequests: state.sortedPending, supersteps: supersteps)
    }

    /// If the commit that carried run `runID`'s start failed, the store never had the run and
    /// there is no end to record: the instance returns to where it was before the run, and the
    /// run's result is `storeFailed` with that cause.
    func unrecordedRun(_ runID: String, error: WorkflowError, supersteps: Int) async -> RunResult? {
        guard let lost = durability.takeLostStart(runID: runID) else { return nil }
        await returnToDurableState()
        let failure = WorkflowError(.storeFailed, "run \(runID) was not recorded: the store could not commit its start: \(lost.message)",
                                    details: ["runId": .string(runID), "error": error.json], cause: lost)
        return RunResult(runID: runID, status: .failed, outputs: runs[runID]?.outputs ?? [], error: failure,
                         pendingRequests: state.sortedPending, supersteps: supersteps)
    }

    /// Ends a run as failed or cancelled. If `superstep` is given, that superstep is discarded:
    /// its staged writes and executor copies were never applied (nor its counter), and the
    /// requests it raised are withdrawn. After a failed commit the instance first returns to
    /// its last committed checkpoint. What was in flight stays for a rewind (a new run discards it
    /// with a warning).
    ///
    /// The end of a run is never dropped: if its commit fails it is kept and carried by the next
    /// commit, and the result's error says the end is not recorded yet, and why.
    func endRun(_ runID: String, status: InstanceStatus, error: WorkflowError, supersteps: Int, discarding superstep: Int? = nil) async -> RunResult {
        // From here a response is for a continuation after this run. Those accepted for it that
        // it did not take stay with the rest of its work in flight (for a rewind, and for the
        // next run if they answer an earlier run's request).
        state.inFlight += lifecycle.runEnding(runID: runID)
        sink.closeOpenScope()
        let runError = error
        if let lost = await unrecordedRun(runID, error: runError, supersteps: supersteps) { return lost }
        var recordingFailure: WorkflowError?
        for _ in 0..<3 {
            await returnToDurableState()
            state.status = status
            state.failedRunID = runID
            if status == .failed { sink.emit(runID: runID, .runFailed(error: error)) }
            let statusSeq = sink.emit(runID: runID, .status(status))
            do {
                try await publish(status: status, retained: true, withdrawing: superstep.map { (runID, $0) })
                recordingFailure = nil
                break
            } catch {
                if let lost = await unrecordedRun(runID, error: runError, supersteps: supersteps) { return lost }
                recordingFailure = durability.failure ?? (error as? WorkflowError) ?? WorkflowError(.storeFailed, "\(error)", cause: error)
                // Kept for the next commit: the end will be recorded then. Dropped (it was built on
                // a batch that failed): return to the durable point and build it again.
                if commits.waiting.contains(where: { $0.batch.events.contains { $0.seq == statusSeq } }) {
                    await returnToDurableState()
                    break
                }
            }
        }
        if let superstep {
            state.pending = state.pending.filter { !($0.value.runID == runID && $0.value.superstep == superstep) }
        }
        var reported = error
        if let recordingFailure {
            reported = WorkflowError(.storeFailed,
                                     "run \(runID) ended \(status.rawValue) (\(error.message)), but the store could not record its end: \(recordingFailure.message)",
                                     details: ["runId": .string(runID), "status": .string(status.rawValue), "error": error.json],
                                     cause: recordingFailure)
        }
        return RunResult(runID: runID, status: status, outputs: runs[runID]?.outputs ?? [], error: reported,
                         pendingRequests: state.sortedPending, supersteps: supersteps)
    }
}

import Logging
import WorkflowConcurrency

extension WorkflowInstance {
    // MARK: Starting runs

    /// Starts a run and waits for it to end. The run is driven by the caller's task, so
    /// cancelling the caller cancels the run (as ``cancel()`` does).
    public func run(_ input: JSON, idempotencyKey: String? = nil) async throws -> RunResult {
        // The caller hears nothing before the result (committed): the start may share its commit.
        let handle = try await startRun(input, idempotencyKey: idempotencyKey, streamEvents: false, drivenByCaller: true, durableStart: false)
        if handle.disposition == .started { await driveRun(handle.runID) }
        return try await result(of: handle.runID)
    }

    /// Waits for run `runID` to end (at once if it has). A cancelled caller stops waiting (with
    /// `CancellationError`); the run goes on.
    /// - Throws: `runNotFound` if the instance does not know the run (never, or forgotten).
    public func result(of runID: String) async throws -> RunResult {
        guard let entry = runs[runID] else {
            throw WorkflowError(.runNotFound, "instance '\(name)' has no run '\(runID)'", details: ["runId": .string(runID)])
        }
        if let result = entry.result { return result }
        let waiter = Promise<RunResult>()
        runs[runID]?.waiters.removeAll { $0.isResolved }
        runs[runID]?.waiters.append(waiter)
        return try await waiter.value()
    }

    /// Run `runID`'s result if it has ended, nil while it is queued or running.
    /// - Throws: `runNotFound` if the instance does not know the run (never, or forgotten).
    public func runResult(_ runID: String) throws -> RunResult? {
        guard let entry = runs[runID] else {
            throw WorkflowError(.runNotFound, "instance '\(name)' has no run '\(runID)'", details: ["runId": .string(runID)])
        }
        return entry.result
    }

    func startRun(_ input: JSON, idempotencyKey: String?, streamEvents: Bool, drivenByCaller: Bool = false,
                  durableStart: Bool = true, onBusy: BusyPolicy? = nil) async throws -> RunHandle {
        try durability.admitWork()
        if let schema = workflow.inputSchema, let validator = configuration.responseValidator {
            let problems = validator.problems(in: input, against: schema)
            if !problems.isEmpty {
                throw WorkflowError(.inputInvalid, "the input does not match the inputSchema of '\(workflow.name)': " + problems.joined(separator: "; "),
                                    details: ["instance": .string(name), "problems": .array(problems.map { .string($0) }), "schema": schema])
            }
        }
        let runID = Identifier.make("r")
        let now = Timestamp.now()
        let trigger = WorkflowEvent.Trigger.forStart(idempotencyKey: idempotencyKey)
        switch lifecycle.startRequested(runID: runID, input: input, idempotencyKey: idempotencyKey, now: now, onBusy: onBusy) {
        case .reject(let reason):
            throw WorkflowError(.instanceBusy, "instance '\(name)': \(reason)",
                                details: ["instance": .string(name), "activeRunId": lifecycle.activeRunID.map { .string($0) } ?? .null])
        case .existing(let existing):
            return RunHandle(runID: existing, disposition: .existing, events: attachStream(to: existing), instance: self)
        case .enqueue(let position):
            runs.add(runID, trigger: trigger, input: input)
            let events = streamEvents ? attachStream(to: runID) : .finished()
            // The queue is durable: the run is committed before the caller hears it is queued.
            do {
                try await publish(queuedRuns: [StoreBatch.QueuedRun(runID: runID, input: input, idempotencyKey: idempotencyKey)],
                                  idempotencyKeys: idempotencyKey.map { [IdempotencyKey(key: $0, runID: runID, createdAt: now)] } ?? [])
            } catch {
                lifecycle.removeQueued(runID: runID)
                runs.remove(runID)
                throw error
            }
            return RunHandle(runID: runID, disposition: .queued(position: position), events: events, instance: self)
        case .start:
            runs.add(runID, trigger: trigger, input: input)
            let events = streamEvents ? attachStream(to: runID) : .finished()
            try await beginRun(runID, trigger: trigger, input: input,
                               seed: [PendingMessage(source: "input", target: workflow.startIndex, payload: input)],
                               idempotencyKeys: idempotencyKey.map { [IdempotencyKey(key: $0, runID: runID, createdAt: now)] } ?? [],
                               spawn: !drivenByCaller, durable: durableStart)
            return RunHandle(runID: runID, disposition: .started, events: events, instance: self)
        }
    }

    /// Takes up the work the last run left when it failed or was cancelled, from the instance's
    /// last checkpoint: a run with trigger `retry` delivers what that run had in flight (the
    /// superstep that failed runs again), with a fresh superstep budget. The failed run stays
    /// failed in the history, with its cause.
    /// - Throws: `runNotFound` when the last run neither failed nor was cancelled, or left no work
    ///   in flight; `instanceBusy` while a run is active or a reset or rewind is in progress;
    ///   `storeFailed`.
    public func retry(durableStart: Bool = true) async throws -> RunHandle {
        try durability.admitWork()
        guard state.status == .failed || state.status == .cancelled else {
            throw WorkflowError(.runNotFound, "instance '\(name)' has no failed or cancelled run to retry (it is \(state.status.rawValue))",
                                details: ["instance": .string(name), "status": .string(state.status.rawValue)])
        }
        guard !state.inFlight.isEmpty || !lifecycle.waitingResponses.isEmpty else {
            throw WorkflowError(.runNotFound, "instance '\(name)': the run that \(state.status.rawValue == "failed" ? "failed" : "was cancelled") left no work in flight to retry",
                                details: ["instance": .string(name)])
        }
        guard lifecycle.state == .idle else {
            throw WorkflowError(.instanceBusy, "instance '\(name)': a run is active or the instance is being rebuilt", details: ["instance": .string(name)])
        }
        let runID = Identifier.make("r")
        guard case .start = lifecycle.startRequested(runID: runID, input: .null, idempotencyKey: nil, now: Timestamp.now()) else {
            throw WorkflowError(.instanceBusy, "instance '\(name)': busy", details: ["instance": .string(name)])
        }
        runs.add(runID, trigger: .retry, input: .null)
        let events = attachStream(to: runID)
        try await beginRun(runID, trigger: .retry, input: .null, seed: [], durable: durableStart)
        return RunHandle(runID: runID, disposition: .started, events: events, instance: self)
    }

    /// A bounded stream of run `runID`'s events from now until it ends (already ended if it has).
    func attachStream(to runID: String) -> EventSubscription {
        guard let entry = runs[runID], entry.result == nil else { return .finished() }
        let buffer = SubscriptionBuffer(limit: configuration.subscriptionBufferLimit, runID: runID)
        runs.attach(buffer, to: runID)
        return EventSubscription(id: -1, liveFrom: nextDeliverySeq, missed: nil, buffer: buffer, replay: nil)
    }

    /// Begins run `runID` (the lifecycle already says it is running): clears a dead run's
    /// leftovers, seeds its messages, announces it, writes the run-start checkpoint and starts the
    /// superstep loop (in a task it owns, unless `spawn` is false and the caller drives it).
    /// If the store cannot commit, nothing changed and the error is thrown. A start that is not
    /// `durable` waits for the next commit (a failure then ends the run as any failed commit does).
    func beginRun(_ runID: String, trigger: WorkflowEvent.Trigger, input: JSON, seed: [PendingMessage],
                  idempotencyKeys: [IdempotencyKey] = [], spawn: Bool = true, durable: Bool = true) async throws {
        let saved = state
        do {
            // A new run after a failed one drops what that run left (a retry is what takes it up).
            if trigger != .rewind && trigger != .recovery && trigger != .retry { discardLeftovers(runID: runID, trigger: trigger) }
            if state.executors == nil { state.executors = try workflow.makeExecutors() }
            state.inFlight += seed
            state.status = .inProgress
            if !durable { durability.startAwaitsCommit(runID: runID) }
            startRunSpan(runID)
            sink.emit(runID: runID, .runStarted(trigger: trigger, input: input))
            sink.emit(runID: runID, .status(.inProgress))
            try await publish(checkpoint: trigger == .response ? .responseAccepted : .runStarted, runID: runID, status: .inProgress,
                              deferrable: !durable, idempotencyKeys: idempotencyKeys)
        } catch {
            // Nothing of the run is in the store: the instance is as it was.
            abandonRunSpan(error)
            durability.startAbandoned(runID: runID)
            state = saved
            sink.discard(restartingAt: commits.nextSeqAfterKept)
            runs.remove(runID)
            lifecycle.startAborted(runID: runID)
            throw error
        }
        if spawn {
            let task = Task(executorPreference: RunExecution.preferredExecutor) { await self.driveRun(runID) }
            lifecycle.runTaskStarted(runID: runID, task: task)
        }
    }

    /// What a new run drops, saying so in a warning: after a failed or cancelled run, the messages
    /// it left in flight and (for a fresh input) the requests it raised; for any fresh input,
    /// values left waiting in fan-in buffers (they belong to earlier runs, not to this one).
    /// Responses already accepted for requests of earlier runs are not dropped: they are
    /// delivered in this run. Requests of earlier runs that ended waiting for a person stay open.
    func discardLeftovers(runID: String, trigger: WorkflowEvent.Trigger) {
        var dropped: [String] = []
        if state.status == .failed || state.status == .cancelled {
            let failedRun = state.failedRunID
            var kept: [PendingMessage] = []
            var lost: [PendingMessage] = []
            for message in state.inFlight {
                // Responses and wakes for earlier runs' questions and waits are delivered in this run.
                if let request = message.request, request.runID != failedRun {
                    kept.append(message)
                } else if let wake = message.wake, wake.wait.runID != failedRun {
                    kept.append(message)
                } else {
                    lost.append(message)
                }
            }
            if !lost.isEmpty {
                let targets = lost.map { workflow.executorIDs[$0.target] }
                dropped.append("\(lost.count) message(s) in flight to \(Set(targets).sorted().joined(separator: ", "))")
                state.inFlight = kept
            }
            if trigger == .input, let failedRun {
                let raised = state.sortedPending.filter { $0.runID == failedRun }
                if !raised.isEmpty {
                    dropped.append("open request(s) \(raised.map(\.id).joined(separator: ", "))")
                    for request in raised { state.pending[request.id] = nil }
                }
                let armed = state.sortedWaits.filter { $0.runID == failedRun }
                if !armed.isEmpty {
                    dropped.append("armed wait(s) \(armed.map(\.id).joined(separator: ", "))")
                    for wait in armed { state.waits[wait.id] = nil }
                }
            }
        }
        if trigger == .input && !state.fanIn.isEmpty {
            let edges = state.fanIn.keys.map { workflow.edges[$0].id }.sorted()
            dropped.append("values waiting in fan-in \(edges.joined(separator: ", "))")
            state.fanIn = [:]
            if !state.changes.isEverything { state.changes.edges.formUnion(edges) }
        }
        state.failedRunID = nil
        if !dropped.isEmpty {
            let reason = "discarded what the previous (\(state.status.rawValue)) run left: " + dropped.joined(separator: "; ")
            configuration.logger.info("\(reason)", metadata: ["instance": "\(name)", "run": "\(runID)"])
            sink.emit(runID: runID, .warning(executor: nil, reason: reason, valueType: nil))
        }
    }

    // MARK: Ending runs

    /// Records the result, wakes waiters, ends the run's streams, and starts what comes next: a
    /// continuation for responses the run did not take, or the next queued run. What comes next
    /// is decided before anything else can get in (``RunLifecycle/runFinished(runID:continuationRunID:)``),
    /// so a caller woken by the result finds the instance already past this run.
    func finishRun(_ runID: String, _ result: RunResult) async {
        let finish = lifecycle.runFinished(runID: runID, continuationRunID: Identifier.make("r"))
        if case .start(let next) = finish { announce(next) }
        complete(runID, result)
        // Waiting for a boundary that will not come: the run ended; its end is the checkpoint.
        if !boundaryWaiters.isEmpty {
            let waiters = boundaryWaiters
            boundaryWaiters = []
            let outcome: Result<String, any Error>
            do { outcome = .success(try await writeManualCheckpoint()) } catch { outcome = .failure(error) }
            for waiter in waiters { waiter.resolve(outcome) }
        }
        if case .start(let next) = finish { await startNext(next) }
    }

    /// Records a run's result and tells whoever waits for it.
    func complete(_ runID: String, _ result: RunResult) {
        let (waiters, streams) = runs.finish(runID, result, keep: lifecycle.keys.runIDs)
        for stream in streams { stream.finish() }
        for waiter in waiters { waiter.resolve(.success(result)) }
    }

    /// Makes a run the lifecycle just chose known to the history (so that it can be waited for
    /// and cancelled before it begins).
    func announce(_ next: RunLifecycle.NextRun) {
        switch next {
        case .queued(let queued):
            if runs[queued.runID] == nil {
                runs.add(queued.runID, trigger: .forStart(idempotencyKey: queued.idempotencyKey), input: queued.input)
            }
        case .continuation(let runID):
            if runs[runID] == nil { runs.add(runID, trigger: .response, input: lifecycle.inbox.first?.payload ?? .null) }
        }
    }

    /// Starts `next` (the lifecycle already says it is running). If the store refuses its start,
    /// its waiters are told and the next queued run is tried; responses then wait in the inbox
    /// for the next run that starts (the store has them, and delivers them after a restart).
    func startNext(_ next: RunLifecycle.NextRun) async {
        var current: RunLifecycle.NextRun? = next
        while let run = current {
            current = nil
            announce(run)
            let runID: String, trigger: WorkflowEvent.Trigger, input: JSON, seed: [PendingMessage]
            switch run {
            case .queued(let queued):
                (runID, trigger, input) = (queued.runID, .forStart(idempotencyKey: queued.idempotencyKey), queued.input)
                seed = [PendingMessage(source: "input", target: workflow.startIndex, payload: queued.input)]
            case .continuation(let continuationID):
                // The responses stay in the inbox: the run takes them at its first boundary, after
                // its start has discarded what a failed run left.
                (runID, trigger, input, seed) = (continuationID, .response, lifecycle.inbox.first?.payload ?? .null, [])
            }
            do {
                try await beginRun(runID, trigger: trigger, input: input, seed: seed)
            } catch {
                let failure = (error as? WorkflowError) ?? WorkflowError(.storeFailed, "\(error)", cause: error)
                runs.add(runID, trigger: trigger, input: input)
                complete(runID, RunResult(runID: runID, status: .failed, outputs: [], error: failure,
                                          pendingRequests: state.sortedPending, supersteps: 0))
                current = lifecycle.nextQueuedRunIfIdle()
            }
        }
    }
}

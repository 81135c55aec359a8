import Logging

extension WorkflowInstance {
    /// Rebuilds an instance from what a durable store kept (docs/semantics.md §5): the state of its
    /// lineage head, its open requests, the responses it accepted but had not delivered, its run
    /// queue and idempotency keys, and seqs that continue the log. Nothing runs yet: call
    /// ``resumeRecovered(_:)`` (after subscribing, if the events matter) to resume or fail the
    /// run that was interrupted and start what was queued.
    /// - Throws: `checkpointIncompatible` if the head was written by another definition version,
    ///   `invalidCheckpoint` if it does not fit the workflow.
    public init(recovering recovery: InstanceRecovery, workflow: Workflow, configuration: InstanceConfiguration) throws {
        var restored = InstanceState()
        if let head = recovery.head { restored = try Self.restoredState(from: head, workflow: workflow) }
        // Responses the store accepted that the head does not carry yet (the head is written in the
        // same transaction, so normally it does): they go in flight, and their requests close.
        let carried = Set(restored.inFlight.compactMap { $0.request?.id })
        for response in recovery.undeliveredResponses where !carried.contains(response.requestID) {
            guard let request = restored.pending[response.requestID], let target = workflow.index(of: request.executor) else {
                configuration.logger.warning("an accepted response names a request the head does not have; it cannot be delivered",
                                             metadata: ["instance": "\(recovery.name)", "request": "\(response.requestID)"])
                continue
            }
            restored.pending[response.requestID] = nil
            _ = restored.disarmTimeout(of: response.requestID)
            restored.inFlight.append(PendingMessage(source: "response", target: target, payload: response.response, request: request))
        }
        // Which run delivers them: those promised to a continuation that never started, that
        // continuation; with no run interrupted on an instance that did not fail, all of them
        // (a continuation); otherwise the run that accepted them (resumed, or failed with them in
        // flight, as any run that fails keeps its work).
        let promised = Set(recovery.undeliveredResponses.filter { $0.promisedRunID != nil }.map(\.requestID))
        let failed = recovery.status == .failed || recovery.status == .cancelled
        var owed = restored.takeResponses { request in
            promised.contains(request.id) || (recovery.interruptedRuns.isEmpty && !failed)
        }
        // Wakes in flight with no run interrupted fired for a continuation that had not started
        // (the head was written with that continuation's id): it delivers them.
        var promisedRun = recovery.undeliveredResponses.lazy.compactMap(\.promisedRunID).first
        if recovery.interruptedRuns.isEmpty && !failed {
            let wakes = restored.takeWakes()
            if !wakes.isEmpty {
                owed += wakes
                promisedRun = promisedRun ?? recovery.head?.runID
            }
        }
        restored.status = recovery.status
        if recovery.status == .failed || recovery.status == .cancelled { restored.failedRunID = recovery.head?.runID }
        var lifecycle = RunLifecycle(policy: configuration.onBusy, keyLimit: configuration.idempotencyKeyLimit,
                                     keyLifetime: configuration.idempotencyKeyLifetime, queueLimit: configuration.queueLimit)
        lifecycle.restore(queue: recovery.queuedRuns.map { .init(runID: $0.runID, input: $0.input, idempotencyKey: $0.idempotencyKey) },
                          keys: recovery.idempotencyKeys, afterRun: owed,
                          promisedContinuation: promisedRun, now: Timestamp.now())
        var runs = RunHistory(limit: configuration.runHistoryLimit)
        for queued in recovery.queuedRuns {
            runs.add(queued.runID, trigger: .forStart(idempotencyKey: queued.idempotencyKey), input: queued.input)
        }
        for finished in recovery.finishedRuns {
            runs.add(finished.runID, trigger: .input, input: .null)
            _ = runs.finish(finished.runID, finished, keep: lifecycle.keys.runIDs)
        }
        var forkedFrom: (instance: String, checkpointID: String)?
        if let from = recovery.forkedFrom, let checkpoint = recovery.forkedFromCheckpoint { forkedFrom = (from, checkpoint) }
        self.init(name: recovery.name, workflow: workflow, configuration: configuration, nextSeq: recovery.nextSeq, state: restored,
                  base: recovery.head.map { .checkpoint($0) } ?? .fresh, status: recovery.status, lifecycle: lifecycle, runs: runs,
                  interruptedRuns: recovery.interruptedRuns, forkedFrom: forkedFrom)
    }

    /// Holds the instance (it is paused; call before ``resumeRecovered(_:)``, which then takes
    /// up nothing): no run starts (a start is queued when the instance queues, else refused
    /// with `instanceBusy` saying it is paused), responses and signals are accepted and kept
    /// for a continuation that starts when the instance is loaded again without being held,
    /// waits do not fire, and no reset, rewind or fork is done. What it keeps is in the store.
    /// - Returns: false if a run is active (only an idle instance is held).
    @discardableResult
    public func hold() -> Bool {
        lifecycle.hold()
    }

    /// Ends the hold (``hold()``) and takes up what the instance kept, as
    /// ``resumeRecovered(_:)`` does: the run the hold found interrupted, then a continuation for
    /// what was accepted meanwhile, then the next queued run.
    /// - Throws: `storeFailed` if what it starts cannot be committed.
    @discardableResult
    public func resumeHeld(_ mode: RecoveryMode) async throws -> RecoveryOutcome {
        lifecycle.unhold()
        return try await resumeRecovered(mode)
    }

    /// Whether the instance is held (``hold()``).
    public var isHeld: Bool { lifecycle.held }

    /// Takes up what the process was doing when it stopped. The interrupted run (the last one
    /// recorded in progress) resumes from the lineage head with a `run_recovered` event and the
    /// same run id (`resume`: the interrupted superstep runs again), or is recorded failed with
    /// code `interrupted` (`fail`). Responses accepted but not delivered are delivered: by the
    /// resumed run, or by a continuation run if none was in progress or if they were promised to
    /// one (a run recorded failed keeps those it had accepted in flight, as any failed run does;
    /// a rewind delivers them). Then, if the instance is idle, the next queued run starts.
    /// - Throws: `storeFailed` if what recovery decides cannot be committed.
    @discardableResult
    public func resumeRecovered(_ mode: RecoveryMode) async throws -> RecoveryOutcome {
        var outcome = RecoveryOutcome(resumed: nil, failedRuns: [], startedQueuedRun: nil)
        // A held instance takes up nothing: the interrupted run stays in progress in the store,
        // for when the instance is loaded again without being held.
        if lifecycle.held {
            // The continuation promised to what was accepted while paused can be waited for.
            if let promised = lifecycle.promisedContinuation, runs[promised] == nil { runs.add(promised, trigger: .response, input: .null) }
            // So can the run the hold stopped: it goes on (or is recorded failed) on resume, and
            // `run.wait` answered with the stored in-progress run at once before.
            if let interrupted = interruptedRuns.last, runs[interrupted] == nil { runs.add(interrupted, trigger: .recovery, input: .null) }
            return outcome
        }
        let interrupted = interruptedRuns
        interruptedRuns = []
        // Only the last run recorded in progress can be resumed (more than one cannot happen
        // through the engine); the others, and all of them in mode `fail`, are recorded failed.
        let resumable = mode == .resume ? interrupted.last : nil
        for runID in interrupted where runID != resumable {
            try await recordInterrupted(runID, reason: mode == .fail ? "the process stopped while it was in progress (recovery mode fail)"
                                                                       : "a later run was also in progress")
            outcome.failedRuns.append(runID)
        }
        // The resumed run delivers the responses it had accepted (they are in flight); without
        // one, a continuation delivers those that wait for one (see the initializer), with the id
        // promised to them if one was. Responses promised to a continuation while the run was
        // ending wait for the resumed run to end.
        if let runID = lifecycle.recoveryRun(resuming: resumable, continuationRunID: Identifier.make("r")) {
            // Known already if it was waited for while the instance was held: keep its waiters.
            if runs[runID] == nil { runs.add(runID, trigger: .recovery, input: .null) }
            let events = attachStream(to: runID)
            do {
                try await beginRecoveredRun(runID, resuming: runID == resumable)
            } catch {
                runs.remove(runID)
                lifecycle.startAborted(runID: runID)
                throw error
            }
            configuration.logger.notice(runID == resumable ? "resumed an interrupted run" : "started a run to deliver accepted responses",
                                        metadata: ["instance": "\(name)", "run": "\(runID)"])
            outcome.resumed = RunHandle(runID: runID, disposition: .continued, events: events, instance: self)
        }
        if let next = lifecycle.nextQueuedRunIfIdle(), case .queued(let queued) = next {
            outcome.startedQueuedRun = queued.runID
            await startNext(next)
        }
        return outcome
    }

    /// Announces a recovered run (`run_recovered` with the head it resumes from, `status
    /// in_progress`), commits that, and drives the run from what is in flight. A run that only
    /// delivers responses after a failed or cancelled run first discards what that run left, as
    /// any continuation does.
    private func beginRecoveredRun(_ runID: String, resuming: Bool) async throws {
        let saved = state
        if state.executors == nil { state.executors = try workflow.makeExecutors() }
        if !resuming { discardLeftovers(runID: runID, trigger: .response) }
        // A resumed run goes on in the trace its checkpoint recorded.
        startRunSpan(runID, resuming: resuming ? state.runTrace : nil)
        state.status = .inProgress
        sink.emit(runID: runID, .runRecovered(checkpointID: state.head))
        sink.emit(runID: runID, .status(.inProgress))
        do {
            try await publish(runID: runID, status: .inProgress)
        } catch {
            abandonRunSpan(error)
            state = saved
            durability.failedCommitUndone()
            sink.discard(restartingAt: commits.nextSeqAfterKept)
            throw error
        }
        let task = Task(executorPreference: RunExecution.preferredExecutor) { await self.driveRun(runID) }
        lifecycle.runTaskStarted(runID: runID, task: task)
    }

    /// Records an interrupted run as failed (`run_failed` with code `interrupted`, `status
    /// failed`); what it left in flight stays for a rewind.
    private func recordInterrupted(_ runID: String, reason: String) async throws {
        let error = WorkflowError(.interrupted, "run \(runID) was interrupted: \(reason)", details: ["runId": .string(runID)])
        state.status = .failed
        state.failedRunID = runID
        sink.emit(runID: runID, .runFailed(error: error))
        sink.emit(runID: runID, .status(.failed))
        do {
            try await publish(status: .failed)
        } catch {
            sink.discard(restartingAt: commits.nextSeqAfterKept)
            durability.failedCommitUndone()
            throw error
        }
        // Known as ended from now on: an idempotency key that names it gives this result, and
        // whoever waited for it while the instance was held is told.
        if runs[runID] == nil { runs.add(runID, trigger: .input, input: .null) }
        complete(runID, RunResult(runID: runID, status: .failed, outputs: [], error: error, pendingRequests: [], supersteps: 0))
        configuration.logger.notice("recorded an interrupted run as failed", metadata: ["instance": "\(name)", "run": "\(runID)"])
    }
}

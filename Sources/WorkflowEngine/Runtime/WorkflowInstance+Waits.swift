extension WorkflowInstance {
    /// Armed waits, the soonest due first, then those on a signal only.
    public var armedWaits: [WorkflowWait] { state.sortedWaits }

    /// Signals kept for waits that have not been armed yet, oldest first.
    public var keptSignals: [WorkflowSignal] { state.signals }

    /// When the soonest armed wait is due (seconds since 1970); nil when no wait is on a time.
    /// Whoever drives the instance's timers (the daemon) calls ``fireDueWaits()`` then. Nil
    /// while the instance is held.
    public var nextWaitDue: Double? {
        // A held instance fires nothing until it is taken up again.
        if lifecycle.held { return nil }
        var soonest: Double?
        for wait in state.waits.values {
            if let due = wait.due, due < (soonest ?? .infinity) { soonest = due }
        }
        return soonest
    }

    /// Fires every armed wait whose time has come by the instance's clock (one due while the
    /// process was down fires now, late, once): each is taken off the armed set, a
    /// `timer_fired` event says when it was due and when it fired, and its wake is delivered to
    /// its executor, by the active run at its next boundary or by a continuation run (trigger
    /// `timer`). Each fire is durable (checkpointed) before this returns.
    /// - Returns: the runs that deliver the wakes (empty when nothing was due).
    /// - Throws: `instanceBusy` while a reset or rewind is in progress or the instance stops
    ///   (the waits stay armed: try again later), `storeFailed` (likewise).
    @discardableResult
    public func fireDueWaits() async throws -> [ResponseOutcome] {
        try durability.admitWork()
        if lifecycle.held { return [] }
        let now = configuration.clock.now()
        var outcomes: [ResponseOutcome] = []
        for wait in state.sortedWaits {
            guard let due = wait.due, due <= now else { break }
            // Another fire in this loop may have suspended: the wait may be gone meanwhile.
            guard state.waits[wait.id] != nil else { continue }
            if let requestID = wait.requestID, state.pending[requestID] == nil {
                // Its request was answered (or dropped) and the timeout outlived it.
                state.waits[wait.id] = nil
                continue
            }
            let wake = WorkflowWake(wait: wait, reason: wait.timeReason ?? .for, firedAt: now, signal: nil)
            outcomes.append(try await deliver(wake, trigger: .timer))
        }
        return outcomes
    }

    /// Sends the instance a signal: it wakes the first armed wait for `name` (`signal_received`;
    /// the wake is delivered by the active run, or by a continuation run with trigger `signal`),
    /// or, when no wait is armed for it, it is kept for the first wait that will be. Either way
    /// it is durable before this returns: nothing sent is lost because it came early.
    /// - Throws: `limitExceeded` naming ``InstanceConfiguration/signalLimit`` when that many
    ///   signals are kept already, `instanceBusy` while a reset or rewind is in progress or the
    ///   instance stops, `storeFailed` (the signal was not taken).
    @discardableResult
    public func signal(_ name: String, payload: JSON = .null) async throws -> SignalOutcome {
        try durability.admitWork()
        guard !name.isEmpty else {
            throw WorkflowError(.invalidGraph, "a signal needs a name", details: ["instance": .string(name)])
        }
        let signal = WorkflowSignal(name: name, payload: payload, time: configuration.clock.now())
        if let wait = state.sortedWaits.first(where: { $0.signal == name }) {
            let wake = WorkflowWake(wait: wait, reason: .signal, firedAt: signal.time, signal: signal)
            let outcome = try await deliver(wake, trigger: .signal)
            return SignalOutcome(waitID: wait.id, runID: outcome.runID, startedRun: outcome.startedRun)
        }
        guard state.signals.count < configuration.signalLimit else {
            throw WorkflowError(.limitExceeded, "instance '\(self.name)' keeps \(state.signals.count) signals that no wait has taken, and may keep at most \(configuration.signalLimit) (signalLimit): arm waits for them or reset the instance",
                                details: ["instance": .string(self.name), "limit": "signalLimit", "value": .number(Double(configuration.signalLimit))])
        }
        switch lifecycle.state {
        case .maintenance(let operation):
            throw WorkflowError(.instanceBusy, "instance '\(self.name)': instance busy: \(operation.rawValue) in progress", details: ["instance": .string(self.name)])
        case .closed:
            throw WorkflowError(.instanceBusy, "instance '\(self.name)': shutting down", details: ["instance": .string(self.name)])
        case .idle, .running:
            break
        }
        state.signals.append(signal)
        do {
            try await publish(checkpoint: .signalKept, runID: lifecycle.activeRunID)
        } catch {
            state.signals.removeAll { $0 == signal }
            throw error
        }
        return SignalOutcome(waitID: nil, runID: nil, startedRun: false)
    }

    /// Delivers a wake the way a response is delivered (see ``respond(to:with:)``): to the active
    /// run at its next boundary, to a continuation promised after a run that is ending, or by a
    /// continuation run of its own.
    private func deliver(_ wake: WorkflowWake, trigger: WorkflowEvent.Trigger) async throws -> ResponseOutcome {
        let wait = wake.wait
        guard let target = workflow.index(of: wait.executor) else {
            throw WorkflowError(.invalidCheckpoint, "wait '\(wait.id)' belongs to executor '\(wait.executor)', which workflow '\(workflow.name)' does not have")
        }
        let delivery = PendingMessage(source: trigger.rawValue, target: target, payload: wake.message, wake: wake)
        switch lifecycle.responseAccepted(delivery, continuationRunID: Identifier.make("r")) {
        case .reject(let reason):
            throw WorkflowError(.instanceBusy, "instance '\(name)': \(reason)", details: ["instance": .string(name)])
        case .deliverToActiveRun(let runID):
            try await recordFire(of: wake, deliveredBy: runID)
            return ResponseOutcome(runID: runID, startedRun: false)
        case .deliverAfterActiveRun(_, let continuationID), .holdForResume(let continuationID):
            if runs[continuationID] == nil { runs.add(continuationID, trigger: trigger, input: wake.message) }
            try await recordFire(of: wake, deliveredBy: continuationID)
            return ResponseOutcome(runID: continuationID, startedRun: true)
        case .startContinuation(let continuationID):
            // The run takes the wake from the inbox at its first boundary; its start checkpoint
            // records the fire (the wait no longer armed, its wake in flight).
            let closed = take(wake)
            emitFire(of: wake, runID: continuationID, time: nil)
            runs.add(continuationID, trigger: trigger, input: wake.message)
            do {
                try await beginRun(continuationID, trigger: trigger, input: wake.message, seed: [])
            } catch {
                putBack(wake, closed)
                _ = lifecycle.deliveryWithdrawn(id: wait.id)
                throw error
            }
            return ResponseOutcome(runID: continuationID, startedRun: true)
        }
    }

    /// Takes a firing wait off the armed set; for a request's timeout, closes the request too
    /// (returned, to put back if the fire is not committed).
    private func take(_ wake: WorkflowWake) -> WorkflowRequest? {
        state.waits[wake.wait.id] = nil
        guard let requestID = wake.wait.requestID, let request = state.pending.removeValue(forKey: requestID) else { return nil }
        state.recordTimeout(requestID, at: wake.wait.due ?? wake.firedAt)
        return request
    }

    /// Undoes ``take(_:)`` after a failed commit.
    private func putBack(_ wake: WorkflowWake, _ request: WorkflowRequest?) {
        state.waits[wake.wait.id] = wake.wait
        if let request {
            state.pending[request.id] = request
            state.timedOut[request.id] = nil
        }
    }

    /// Commits a fire whose wake waits in the inbox for run `runID`. If the store cannot take
    /// it, the wait is armed again and the inbox forgets the wake.
    private func recordFire(of wake: WorkflowWake, deliveredBy runID: String) async throws {
        let closed = take(wake)
        emitFire(of: wake, runID: runID, time: nil)
        do {
            try await publish(checkpoint: .waitFired, runID: runID)
        } catch {
            putBack(wake, closed)
            if let dropped = lifecycle.deliveryWithdrawn(id: wake.wait.id) { runs.remove(dropped) }
            throw error
        }
    }

    /// `timer_fired`, `signal_received`, or for a request's timeout `request_timed_out`.
    func emitFire(of wake: WorkflowWake, runID: String, time: Double?) {
        let wait = wake.wait
        if let requestID = wait.requestID {
            sink.emit(runID: runID, .requestTimedOut(requestID: requestID, executor: wait.executor, expiredAt: wait.due ?? wake.firedAt), time: time)
        } else if let signal = wake.signal {
            sink.emit(runID: runID, .signalReceived(name: signal.name, executor: wait.executor, waitID: wait.id), time: time)
        } else {
            sink.emit(runID: runID, .timerFired(executor: wait.executor, waitID: wait.id, scheduledFor: wait.due ?? wake.firedAt,
                                                firedAt: wake.firedAt), time: time)
        }
    }

    /// Arms a wait at a superstep boundary. One that can fire at once (a signal kept for it, a
    /// time already come) does not wait: its wake is in flight for the next superstep.
    func arm(_ wait: WorkflowWait, runID: String, time: Double) {
        var wake: WorkflowWake?
        if let name = wait.signal, let index = state.signals.firstIndex(where: { $0.name == name }) {
            wake = WorkflowWake(wait: wait, reason: .signal, firedAt: time, signal: state.signals.remove(at: index))
        } else if wait.requestID == nil, let due = wait.due, due <= configuration.clock.now() {
            // (A request's timeout waits for its request to be registered: fireDueWaits takes it.)
            wake = WorkflowWake(wait: wait, reason: wait.timeReason ?? .for, firedAt: configuration.clock.now(), signal: nil)
        }
        guard let wake, let target = workflow.index(of: wait.executor) else {
            state.waits[wait.id] = wait
            return
        }
        emitFire(of: wake, runID: runID, time: time)
        let source = wake.reason == .signal ? WorkflowEvent.Trigger.signal.rawValue : WorkflowEvent.Trigger.timer.rawValue
        state.inFlight.append(PendingMessage(source: source, target: target, payload: wake.message, wake: wake))
    }
}

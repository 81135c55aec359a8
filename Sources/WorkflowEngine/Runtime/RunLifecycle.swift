/// What an instance does when a run is asked for while another is active.
public enum BusyPolicy: String, Sendable, Hashable {
    /// Refuse at once with `instanceBusy` (the default).
    case reject
    /// Queue the run (FIFO); it starts when the active one ends.
    case queue
}

/// The run lifecycle of one instance as a value: every decision about starting, queueing,
/// continuing, cancelling, resetting and rewinding is made here, synchronously, and returned as an
/// action for the instance actor to carry out. It does no I/O, so every rule is tested without a
/// workflow (the shape of postgres-nio's connection state machines).
///
/// There is no window between the check and the start: `startRequested` both decides and moves
/// to `running` in one call, inside the actor.
struct RunLifecycle: Sendable {
    enum State: Equatable, Sendable {
        case idle
        /// A run is active. `maintenanceWaiting` is set while a reset with `cancel` waits for it.
        case running(runID: String, maintenanceWaiting: Bool)
        /// A reset or rewind is rebuilding the instance.
        case maintenance(operation: String)
    }

    struct QueuedRun: Sendable, Equatable {
        var runID: String
        var input: JSON
        var idempotencyKey: String?
    }

    enum StartAction: Equatable {
        case start
        case enqueue(position: Int)
        /// The idempotency key is known: this is that run.
        case existing(runID: String)
        case reject(reason: String)
    }

    enum ResponseAction: Equatable {
        /// The instance is idle: start a continuation run with this id.
        case startContinuation
        /// Deliver to the active run at its next superstep boundary.
        case deliverToActiveRun(runID: String)
        case reject(reason: String)
    }

    enum FinishAction: Equatable {
        case becomeIdle
        case startQueued(QueuedRun)
        /// A maintenance operation is waiting for this run; do not start anything.
        case handOverToMaintenance
    }

    enum MaintenanceAction: Equatable {
        case proceed
        /// Cancel this run, wait for it, then proceed.
        case cancelThenProceed(runID: String)
        case reject(reason: String)
    }

    enum CancelAction: Equatable {
        case cancel(runID: String)
        case nothingToCancel
    }

    private(set) var state: State = .idle
    private(set) var queue: [QueuedRun] = []
    private(set) var idempotencyKeys: [String: String] = [:]
    var policy: BusyPolicy

    init(policy: BusyPolicy) { self.policy = policy }

    var activeRunID: String? {
        if case .running(let runID, _) = state { return runID }
        return nil
    }

    mutating func startRequested(runID: String, input: JSON, idempotencyKey: String?) -> StartAction {
        if let idempotencyKey, let existing = idempotencyKeys[idempotencyKey] { return .existing(runID: existing) }
        return decideStart(runID: runID, input: input, idempotencyKey: idempotencyKey)
    }

    private mutating func decideStart(runID: String, input: JSON, idempotencyKey: String?) -> StartAction {
        switch state {
        case .idle:
            state = .running(runID: runID, maintenanceWaiting: false)
        case .running(let active, let maintenanceWaiting):
            if maintenanceWaiting { return .reject(reason: "instance busy: a reset is cancelling run \(active)") }
            guard policy == .queue else { return .reject(reason: "instance busy: run \(active) is active") }
            queue.append(QueuedRun(runID: runID, input: input, idempotencyKey: idempotencyKey))
            if let idempotencyKey { idempotencyKeys[idempotencyKey] = runID }
            return .enqueue(position: queue.count)
        case .maintenance(let operation):
            return .reject(reason: "instance busy: \(operation) in progress")
        }
        if let idempotencyKey { idempotencyKeys[idempotencyKey] = runID }
        return .start
    }

    /// A response was validated and accepted; `runID` is the id a continuation would get.
    mutating func responseAccepted(continuationRunID runID: String) -> ResponseAction {
        switch state {
        case .idle:
            state = .running(runID: runID, maintenanceWaiting: false)
            return .startContinuation
        case .running(let active, let maintenanceWaiting):
            if maintenanceWaiting { return .reject(reason: "instance busy: a reset is cancelling run \(active)") }
            return .deliverToActiveRun(runID: active)
        case .maintenance(let operation):
            return .reject(reason: "instance busy: \(operation) in progress")
        }
    }

    mutating func runFinished(runID: String) -> FinishAction {
        guard case .running(let active, let maintenanceWaiting) = state, active == runID else {
            preconditionFailure("run \(runID) finished but the lifecycle is \(state)")
        }
        if maintenanceWaiting {
            state = .maintenance(operation: "reset")
            return .handOverToMaintenance
        }
        if !queue.isEmpty {
            let next = queue.removeFirst()
            state = .running(runID: next.runID, maintenanceWaiting: false)
            return .startQueued(next)
        }
        state = .idle
        return .becomeIdle
    }

    /// A run that was about to begin could not (its first commit failed): back to idle without
    /// starting anything queued; the caller decides (see ``dequeueIfIdle()``).
    mutating func startAborted(runID: String) {
        guard case .running(let active, let maintenanceWaiting) = state, active == runID else {
            preconditionFailure("run \(runID) aborted but the lifecycle is \(state)")
        }
        state = maintenanceWaiting ? .maintenance(operation: "reset") : .idle
        idempotencyKeys = idempotencyKeys.filter { $0.value != runID }
    }

    /// Takes back a queued run whose commit failed.
    mutating func removeQueued(runID: String, idempotencyKey: String?) {
        queue.removeAll { $0.runID == runID }
        if let idempotencyKey, idempotencyKeys[idempotencyKey] == runID { idempotencyKeys[idempotencyKey] = nil }
    }

    mutating func cancelRequested() -> CancelAction {
        if case .running(let runID, _) = state { return .cancel(runID: runID) }
        return .nothingToCancel
    }

    /// `operation` is "reset" or "rewind"; only a reset may cancel the active run.
    mutating func maintenanceRequested(_ operation: String, cancelRunning: Bool) -> MaintenanceAction {
        switch state {
        case .idle:
            state = .maintenance(operation: operation)
            return .proceed
        case .running(let runID, let maintenanceWaiting):
            if maintenanceWaiting { return .reject(reason: "instance busy: a reset is already cancelling run \(runID)") }
            guard cancelRunning else {
                return .reject(reason: "instance busy: run \(runID) is active (pass cancel to cancel it first)")
            }
            state = .running(runID: runID, maintenanceWaiting: true)
            return .cancelThenProceed(runID: runID)
        case .maintenance(let other):
            return .reject(reason: "instance busy: \(other) in progress")
        }
    }

    /// The maintenance operation ended. A successful reset clears the queue and idempotency keys
    /// (returned so their waiters can be told); `startingRun` moves straight to running (a rewind
    /// whose checkpoint has work in flight).
    @discardableResult
    mutating func maintenanceFinished(resetSucceeded: Bool, startingRun runID: String? = nil) -> [QueuedRun] {
        var dropped: [QueuedRun] = []
        if resetSucceeded {
            dropped = queue
            queue = []
            idempotencyKeys = [:]
        }
        state = runID.map { .running(runID: $0, maintenanceWaiting: false) } ?? .idle
        return dropped
    }

    /// After a maintenance that left queued runs (a failed reset, a rewind): the next one to start.
    mutating func dequeueIfIdle() -> QueuedRun? {
        guard state == .idle, !queue.isEmpty else { return nil }
        let next = queue.removeFirst()
        state = .running(runID: next.runID, maintenanceWaiting: false)
        return next
    }
}

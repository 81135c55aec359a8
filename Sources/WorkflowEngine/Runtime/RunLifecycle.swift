/// The run lifecycle of one instance as a value: every decision about starting, queueing,
/// continuing, cancelling, resetting and rewinding is made here, synchronously, and returned as an
/// action for the instance actor to carry out. It does no I/O, so every rule is tested without a
/// workflow (the shape of postgres-nio's connection state machines).
///
/// Every phase of a run is a state: idle, running (with whether a cancel was asked for, whether a
/// reset waits for it, and the task that drives it), or a maintenance operation. There is no
/// window between a check and the start: `startRequested` both decides and moves to `running` in
/// one call, inside the actor.
struct RunLifecycle: Sendable {
    enum State: Equatable, Sendable {
        case idle
        case running(ActiveRun)
        /// A reset, rewind or fork is rebuilding the instance.
        case maintenance(operation: String)
        /// The process is stopping: nothing new starts; an active run is suspended, not ended.
        case closed
    }

    /// The active run and the flags of its phase.
    struct ActiveRun: Equatable, Sendable {
        var runID: String
        /// ``cancelRequested()`` was called: the run stops at its next check.
        var cancelRequested = false
        /// A reset with `cancel` waits for this run to end, then takes over.
        var maintenanceWaiting = false
        /// The task that drives the run in the background (nil while the caller drives it).
        var task: Task<Void, Never>?
        /// The process is stopping: the run stops without ending (it stays in progress in the
        /// store and resumes on recovery).
        var suspending = false
        /// The process is stopping gracefully: the superstep in flight finishes and is
        /// committed, then the run stops like a suspended one (it resumes after that superstep).
        var draining = false
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
        /// Cancel this run (its task, if it has one), wait for it, then proceed.
        case cancelThenProceed(runID: String, task: Task<Void, Never>?)
        case reject(reason: String)
    }

    enum CancelAction: Equatable {
        case cancel(runID: String, task: Task<Void, Never>?)
        case nothingToCancel
    }

    private(set) var state: State = .idle {
        didSet {
            isCancelRequested = if case .running(let run) = state { run.cancelRequested } else { false }
            isSuspending = if case .running(let run) = state { run.suspending } else { false }
            isDraining = if case .running(let run) = state { run.draining } else { false }
        }
    }
    /// Whether the active run is to stop at its next superstep boundary (the process stops).
    private(set) var isDraining = false
    /// Whether the active run is being suspended (the process stops).
    private(set) var isSuspending = false
    /// Whether the active run was asked to stop (kept beside `state`: the superstep loop asks
    /// every superstep).
    private(set) var isCancelRequested = false
    private(set) var queue: [QueuedRun] = []
    private(set) var keys: IdempotencyKeys
    var policy: BusyPolicy
    /// At most this many runs wait in the queue.
    let queueLimit: Int

    init(policy: BusyPolicy, keyLimit: Int = 1000, keyLifetime: Double = 86_400, queueLimit: Int = 1000) {
        self.policy = policy
        self.keys = IdempotencyKeys(limit: keyLimit, lifetime: keyLifetime)
        self.queueLimit = queueLimit
    }

    var activeRunID: String? {
        if case .running(let run) = state { return run.runID }
        return nil
    }

    // MARK: Starting

    mutating func startRequested(runID: String, input: JSON, idempotencyKey: String?, now: Double) -> StartAction {
        if let idempotencyKey, let existing = keys.lookup(idempotencyKey, now: now) { return .existing(runID: existing) }
        switch state {
        case .idle:
            state = .running(ActiveRun(runID: runID))
        case .running(let active):
            if active.maintenanceWaiting { return .reject(reason: "instance busy: a reset is cancelling run \(active.runID)") }
            guard policy == .queue else { return .reject(reason: "instance busy: run \(active.runID) is active") }
            guard queue.count < queueLimit else {
                return .reject(reason: "instance busy: run \(active.runID) is active and \(queue.count) runs are queued (the limit)")
            }
            queue.append(QueuedRun(runID: runID, input: input, idempotencyKey: idempotencyKey))
            if let idempotencyKey { keys.insert(IdempotencyKey(key: idempotencyKey, runID: runID, createdAt: now), now: now) }
            return .enqueue(position: queue.count)
        case .maintenance(let operation):
            return .reject(reason: "instance busy: \(operation) in progress")
        case .closed:
            return .reject(reason: "shutting down")
        }
        if let idempotencyKey { keys.insert(IdempotencyKey(key: idempotencyKey, runID: runID, createdAt: now), now: now) }
        return .start
    }

    /// A response was validated and accepted; `runID` is the id a continuation would get.
    mutating func responseAccepted(continuationRunID runID: String) -> ResponseAction {
        switch state {
        case .idle:
            state = .running(ActiveRun(runID: runID))
            return .startContinuation
        case .running(let active):
            if active.maintenanceWaiting { return .reject(reason: "instance busy: a reset is cancelling run \(active.runID)") }
            if active.suspending || active.draining { return .reject(reason: "shutting down") }
            return .deliverToActiveRun(runID: active.runID)
        case .maintenance(let operation):
            return .reject(reason: "instance busy: \(operation) in progress")
        case .closed:
            return .reject(reason: "shutting down")
        }
    }

    /// Recovery found run `runID` interrupted: it is active again (resumed, or being recorded as failed).
    mutating func runRecovered(runID: String) -> Bool {
        guard state == .idle else { return false }
        state = .running(ActiveRun(runID: runID))
        return true
    }

    /// The run's background task, so that cancel and reset can cancel it.
    mutating func runTaskStarted(runID: String, task: Task<Void, Never>) {
        guard case .running(var active) = state, active.runID == runID else { return }
        active.task = task
        state = .running(active)
    }

    // MARK: Ending

    mutating func runFinished(runID: String) -> FinishAction {
        guard case .running(let active) = state, active.runID == runID else {
            preconditionFailure("run \(runID) finished but the lifecycle is \(state)")
        }
        if active.suspending || active.draining {
            state = .closed
            return .becomeIdle
        }
        if active.maintenanceWaiting {
            state = .maintenance(operation: "reset")
            return .handOverToMaintenance
        }
        if !queue.isEmpty {
            let next = queue.removeFirst()
            state = .running(ActiveRun(runID: next.runID))
            return .startQueued(next)
        }
        state = .idle
        return .becomeIdle
    }

    /// A run that was about to begin could not (its first commit failed): back to idle without
    /// starting anything queued; the caller decides (see ``dequeueIfIdle()``).
    mutating func startAborted(runID: String) {
        guard case .running(let active) = state, active.runID == runID else {
            preconditionFailure("run \(runID) aborted but the lifecycle is \(state)")
        }
        state = active.suspending || active.draining ? .closed : (active.maintenanceWaiting ? .maintenance(operation: "reset") : .idle)
        keys.remove(runID: runID)
    }

    /// Takes back a queued run whose commit failed.
    mutating func removeQueued(runID: String) {
        queue.removeAll { $0.runID == runID }
        keys.remove(runID: runID)
    }

    /// Asks the active run to stop; returns its task so the caller can cancel it.
    mutating func cancelRequested() -> CancelAction {
        guard case .running(var active) = state else { return .nothingToCancel }
        active.cancelRequested = true
        state = .running(active)
        return .cancel(runID: active.runID, task: active.task)
    }

    // MARK: Maintenance

    /// `operation` is "reset", "rewind" or "fork"; only a reset may cancel the active run.
    mutating func maintenanceRequested(_ operation: String, cancelRunning: Bool) -> MaintenanceAction {
        switch state {
        case .idle:
            state = .maintenance(operation: operation)
            return .proceed
        case .running(var active):
            if active.maintenanceWaiting { return .reject(reason: "instance busy: a reset is already cancelling run \(active.runID)") }
            guard cancelRunning else {
                return .reject(reason: "instance busy: run \(active.runID) is active (pass cancel to cancel it first)")
            }
            active.maintenanceWaiting = true
            active.cancelRequested = true
            state = .running(active)
            return .cancelThenProceed(runID: active.runID, task: active.task)
        case .maintenance(let other):
            return .reject(reason: "instance busy: \(other) in progress")
        case .closed:
            return .reject(reason: "shutting down")
        }
    }

    /// The process is stopping gracefully: nothing new starts; an active run stops at its next
    /// superstep boundary, once the superstep in flight is committed. Returns the run to wait for.
    mutating func drain() -> String? {
        switch state {
        case .running(var active):
            active.draining = true
            state = .running(active)
            return active.runID
        case .idle:
            state = .closed
            return nil
        case .maintenance, .closed:
            return nil
        }
    }

    /// The process stops: nothing new starts from now on. An active run is to be suspended
    /// (returned, with its task, so the caller can stop it); a maintenance operation finishes.
    mutating func close() -> CancelAction {
        switch state {
        case .running(var active):
            active.cancelRequested = true
            active.suspending = true
            state = .running(active)
            return .cancel(runID: active.runID, task: active.task)
        case .idle:
            state = .closed
            return .nothingToCancel
        case .maintenance, .closed:
            return .nothingToCancel
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
            keys.removeAll()
        }
        if state == .closed { return dropped }
        state = runID.map { .running(ActiveRun(runID: $0)) } ?? .idle
        return dropped
    }

    /// After a maintenance or recovery that left queued runs: the next one to start.
    mutating func dequeueIfIdle() -> QueuedRun? {
        guard state == .idle, !queue.isEmpty else { return nil }
        let next = queue.removeFirst()
        state = .running(ActiveRun(runID: next.runID))
        return next
    }

    // MARK: Recovery

    /// Puts back what the store kept: the queue and the keys.
    mutating func restore(queue: [QueuedRun], keys restored: [IdempotencyKey], now: Double) {
        self.queue = queue
        for key in restored.sorted(by: { $0.createdAt < $1.createdAt }) { keys.insert(key, now: now) }
    }
}

/// The run lifecycle of one instance as a value: every decision about starting, queueing,
/// continuing, answering, cancelling, stopping, resetting and rewinding is made here,
/// synchronously, and returned as an action for the instance actor to carry out. It does no I/O,
/// so every rule is tested without a workflow (the shape of postgres-nio's connection state
/// machines), including every interleaving of those events up to a depth
/// (`RunLifecycleInterleavingTests`).
///
/// It also holds the responses that were accepted and that no run has taken yet, so that which
/// run delivers a response is decided here and nowhere else. A response is accepted *for* a run:
/// for the active run while it is `working` and not asked to stop (the ``inbox``, which it takes
/// at its next superstep boundary); otherwise, once the run is `ending` (it decided how it ends
/// and is recording that) or being cancelled, for a continuation after it (``afterRun``), which
/// ``runFinished(runID:continuationRunID:)`` starts. A response is never left without a run:
/// only a run that fails or is cancelled keeps the responses accepted for it as the rest of its
/// work in flight (for a rewind, and for the next run).
struct RunLifecycle: Sendable {
    enum State: Equatable, Sendable {
        case idle
        case running(ActiveRun)
        /// A reset, rewind or fork is rebuilding the instance.
        case maintenance(Maintenance)
        /// The process is stopping: nothing new starts; an active run was suspended, not ended.
        case closed
    }

    /// The operations that rebuild an instance and exclude runs meanwhile.
    enum Maintenance: String, Sendable {
        case reset, rewind, fork
    }

    /// The active run and the phase it is in.
    struct ActiveRun: Equatable, Sendable {
        enum Phase: Equatable, Sendable {
            /// Supersteps go on; responses are taken at each boundary.
            case working
            /// The run knows how it ends (converged, failed, cancelled, suspended) and is recording
            /// that: it takes no more responses.
            case ending
        }

        /// Why the run is to stop before it converges.
        enum Stop: Equatable, Sendable {
            /// `cancel`: the superstep in flight is interrupted; the run ends `cancelled`.
            case cancel
            /// A reset with `cancel` waits for the run to end as cancelled, then takes over.
            case cancelForReset
            /// A graceful stop: the superstep in flight finishes and is committed, then the run
            /// stops without ending (it resumes after that superstep on recovery).
            case drain
            /// The process stops now: the superstep in flight is interrupted and the run stops
            /// without ending (it stays in progress in the store and resumes on recovery).
            case suspend

            /// Whether the superstep in flight is interrupted (a drain lets it finish).
            var interruptsSuperstep: Bool { self != .drain }
            /// Whether the run stops without ending (the process stops).
            var suspendsRun: Bool { self == .drain || self == .suspend }
        }

        var runID: String
        var phase: Phase = .working
        var stop: Stop?
        /// The task that drives the run in the background (nil while the caller drives it).
        var task: Task<Void, Never>?
    }

    struct QueuedRun: Sendable, Equatable {
        var runID: String
        var input: JSON
        var idempotencyKey: String?
    }

    /// The run to start next, once nothing is active.
    enum NextRun: Equatable {
        /// Responses are waiting in the inbox: a continuation run delivers them.
        case continuation(runID: String)
        case queued(QueuedRun)
    }

    enum StartAction: Equatable {
        case start
        case enqueue(position: Int)
        /// The idempotency key is known: this is that run.
        case existing(runID: String)
        case reject(reason: String)
    }

    enum ResponseAction: Equatable {
        /// The instance is idle: start continuation run `runID`; the response waits in the inbox,
        /// and the run takes it at its first boundary.
        case startContinuation(runID: String)
        /// The response waits in the inbox; the active run takes it at its next boundary.
        case deliverToActiveRun(runID: String)
        /// The response waits in the inbox; the active run takes nothing more (it is ending or
        /// being cancelled), so continuation run `continuationRunID` delivers it once that run ends.
        case deliverAfterActiveRun(runID: String, continuationRunID: String)
        /// The instance is held (paused): the response waits for continuation run
        /// `continuationRunID`, which starts when the instance is taken up again.
        case holdForResume(continuationRunID: String)
        case reject(reason: String)
    }

    enum FinishAction: Equatable {
        case becomeIdle
        /// The process is stopping: the instance is closed (what the inbox holds is in the store,
        /// and recovery delivers it).
        case close
        case start(NextRun)
        /// A reset is waiting for this run; do not start anything (the reset clears the inbox).
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

    /// What ended a maintenance operation left to do.
    struct MaintenanceEnd: Equatable {
        /// Queued runs a successful reset dropped (their waiters are told).
        var droppedRuns: [QueuedRun] = []
        /// A continuation promised to responses that the reset cleared (its waiters are told).
        var droppedContinuation: String?
        /// The run to start now.
        var next: NextRun?
    }

    private(set) var state: State = .idle
    private(set) var queue: [QueuedRun] = []
    private(set) var keys: IdempotencyKeys
    /// Responses accepted for the active run that it has not taken yet, in the order they were
    /// accepted.
    private(set) var inbox: [PendingMessage] = []
    /// Responses accepted for the continuation after the active run, in order.
    private(set) var afterRun: [PendingMessage] = []
    /// The id promised (in ``ResponseAction/deliverAfterActiveRun(runID:continuationRunID:)``) to
    /// the continuation that delivers ``afterRun``.
    private(set) var promisedContinuation: String?
    var policy: BusyPolicy
    /// Held (the instance is paused): nothing starts; runs asked for are queued (or refused),
    /// responses and wakes wait for a continuation that starts when it is taken up again.
    private(set) var held = false
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

    /// Why the active run is to stop, if it is.
    var stopRequest: ActiveRun.Stop? {
        if case .running(let run) = state { return run.stop }
        return nil
    }

    // MARK: Starting

    mutating func startRequested(runID: String, input: JSON, idempotencyKey: String?, now: Double, onBusy: BusyPolicy? = nil) -> StartAction {
        if let idempotencyKey, let existing = keys.lookup(idempotencyKey, now: now) { return .existing(runID: existing) }
        switch state {
        case .idle where held:
            guard (onBusy ?? policy) == .queue else { return .reject(reason: "instance paused (instance.resume goes on)") }
            guard queue.count < queueLimit else { return .reject(reason: "instance paused and \(queue.count) runs are queued (the limit)") }
            queue.append(QueuedRun(runID: runID, input: input, idempotencyKey: idempotencyKey))
            if let idempotencyKey { keys.insert(IdempotencyKey(key: idempotencyKey, runID: runID, createdAt: now), now: now) }
            return .enqueue(position: queue.count)
        case .idle:
            state = .running(ActiveRun(runID: runID))
        case .running(let active):
            if active.stop == .cancelForReset { return .reject(reason: "instance busy: a reset is cancelling run \(active.runID)") }
            if active.stop?.suspendsRun == true { return .reject(reason: "shutting down") }
            guard (onBusy ?? policy) == .queue else { return .reject(reason: "instance busy: run \(active.runID) is active") }
            guard queue.count < queueLimit else {
                return .reject(reason: "instance busy: run \(active.runID) is active and \(queue.count) runs are queued (the limit)")
            }
            queue.append(QueuedRun(runID: runID, input: input, idempotencyKey: idempotencyKey))
            if let idempotencyKey { keys.insert(IdempotencyKey(key: idempotencyKey, runID: runID, createdAt: now), now: now) }
            return .enqueue(position: queue.count)
        case .maintenance(let operation):
            return .reject(reason: "instance busy: \(operation.rawValue) in progress")
        case .closed:
            return .reject(reason: "shutting down")
        }
        if let idempotencyKey { keys.insert(IdempotencyKey(key: idempotencyKey, runID: runID, createdAt: now), now: now) }
        return .start
    }

    /// A response was validated; `delivery` is the message that hands it to its executor and
    /// `continuationRunID` the id a continuation would get. Unless rejected, the response counts
    /// as accepted from here (the caller commits it, and withdraws it if that fails).
    mutating func responseAccepted(_ delivery: PendingMessage, continuationRunID: @autoclosure () -> String) -> ResponseAction {
        switch state {
        case .idle where held:
            afterRun.append(delivery)
            let continuation = promisedContinuation ?? continuationRunID()
            promisedContinuation = continuation
            return .holdForResume(continuationRunID: continuation)
        case .idle:
            let runID = continuationRunID()
            state = .running(ActiveRun(runID: runID))
            inbox.append(delivery)
            return .startContinuation(runID: runID)
        case .running(let active):
            switch active.stop {
            case .cancelForReset: return .reject(reason: "instance busy: a reset is cancelling run \(active.runID)")
            case .drain, .suspend: return .reject(reason: "shutting down")
            case .cancel, nil: break
            }
            if active.phase == .working && active.stop == nil {
                inbox.append(delivery)
                return .deliverToActiveRun(runID: active.runID)
            }
            afterRun.append(delivery)
            let continuation = promisedContinuation ?? continuationRunID()
            promisedContinuation = continuation
            return .deliverAfterActiveRun(runID: active.runID, continuationRunID: continuation)
        case .maintenance(let operation):
            return .reject(reason: "instance busy: \(operation.rawValue) in progress")
        case .closed:
            return .reject(reason: "shutting down")
        }
    }

    /// A response (or a wake) whose commit failed is not accepted after all; `id` is its
    /// request's (or its wait's). Returns the promised continuation's id if nothing is left for
    /// it to deliver (the caller forgets that run).
    mutating func deliveryWithdrawn(id: String) -> String? {
        inbox.removeAll { $0.deliveryID == id }
        afterRun.removeAll { $0.deliveryID == id }
        return dropPromiseIfNothingWaits()
    }

    /// Every response accepted and not taken by a run (checkpoints carry them as messages in
    /// flight).
    var waitingResponses: [PendingMessage] { afterRun.isEmpty ? inbox : inbox + afterRun }

    /// The active run takes the inbox at a superstep boundary (it delivers it in that superstep).
    mutating func takeInbox() -> [PendingMessage] {
        guard !inbox.isEmpty else { return [] }
        defer { inbox = [] }
        return inbox
    }

    /// The instance returned to a state from the store (after a failed commit), which carries
    /// the responses it had accepted as messages in flight: nothing waits here any more. Returns
    /// the promised continuation's id, if one was promised (the caller tells its waiters).
    mutating func responsesRestored() -> String? {
        inbox = []
        afterRun = []
        defer { promisedContinuation = nil }
        return promisedContinuation
    }

    private mutating func dropPromiseIfNothingWaits() -> String? {
        guard afterRun.isEmpty, let promised = promisedContinuation else { return nil }
        promisedContinuation = nil
        return promised
    }

    /// Recovery: the run that takes up what the store kept, active from here: the interrupted
    /// run `interrupted` (resumed; responses promised to a continuation wait for it to end), or
    /// else, if responses wait, a continuation that delivers them (with the id promised to them
    /// before the process stopped, if one was). Nil if there is nothing to take up or the
    /// instance is not idle.
    mutating func recoveryRun(resuming interrupted: String?, continuationRunID: @autoclosure () -> String) -> String? {
        guard state == .idle, !held else { return nil }
        guard let interrupted else {
            // Queued runs start after (the caller asks for them): only waiting responses here.
            guard !waitingResponses.isEmpty, case .continuation(let runID) = nextRunIfIdle(continuationRunID: continuationRunID()) else {
                return nil
            }
            return runID
        }
        state = .running(ActiveRun(runID: interrupted))
        return interrupted
    }

    /// The run's background task, so that cancel and reset can cancel it.
    mutating func runTaskStarted(runID: String, task: Task<Void, Never>) {
        guard case .running(var active) = state, active.runID == runID else { return }
        active.task = task
        state = .running(active)
    }

    // MARK: Ending

    /// The run decided how it ends and is about to record it: from now on it takes no response
    /// (a response accepted meanwhile is for a continuation after it). Returns the responses
    /// accepted for it that it did not take (a run that fails or is cancelled keeps them with the
    /// rest of its work in flight; a run that converges took them all).
    mutating func runEnding(runID: String) -> [PendingMessage] {
        guard case .running(var active) = state, active.runID == runID else { return [] }
        active.phase = .ending
        state = .running(active)
        defer { inbox = [] }
        return inbox
    }

    /// The run ended (or was suspended). `continuationRunID` is the id a continuation gets if
    /// responses wait and none was promised yet.
    mutating func runFinished(runID: String, continuationRunID: @autoclosure () -> String) -> FinishAction {
        guard case .running(let active) = state, active.runID == runID else {
            preconditionFailure("run \(runID) finished but the lifecycle is \(state)")
        }
        if active.stop?.suspendsRun == true {
            state = .closed
            return .close
        }
        if active.stop == .cancelForReset {
            state = .maintenance(.reset)
            return .handOverToMaintenance
        }
        state = .idle
        guard let next = nextRunIfIdle(continuationRunID: continuationRunID()) else { return .becomeIdle }
        return .start(next)
    }

    /// A run that was about to begin could not (its first commit failed): back to idle without
    /// starting anything (the caller decides, see ``nextQueuedRunIfIdle()``). Responses accepted
    /// for it stay until their callers withdraw them (their commits were in the one that failed
    /// or behind it, so they failed too). A continuation's responses, accepted and committed
    /// before, wait for the next run that starts (the store has them too, and delivers them
    /// after a restart).
    mutating func startAborted(runID: String) {
        guard case .running(let active) = state, active.runID == runID else {
            preconditionFailure("run \(runID) aborted but the lifecycle is \(state)")
        }
        if let stop = active.stop, stop.suspendsRun {
            state = .closed
        } else {
            state = active.stop == .cancelForReset ? .maintenance(.reset) : .idle
        }
        keys.remove(runID: runID)
    }

    /// Takes back a queued run whose commit failed.
    mutating func removeQueued(runID: String) {
        queue.removeAll { $0.runID == runID }
        keys.remove(runID: runID)
    }

    /// Asks the active run to stop; returns its task so the caller can cancel it. A stop already
    /// asked for (a reset's, the process's) stands.
    mutating func cancelRequested() -> CancelAction {
        guard case .running(var active) = state else { return .nothingToCancel }
        if active.stop == nil {
            active.stop = .cancel
            state = .running(active)
        }
        return .cancel(runID: active.runID, task: active.task)
    }

    // MARK: Maintenance

    /// Only a reset may cancel the active run.
    mutating func maintenanceRequested(_ operation: Maintenance, cancelRunning: Bool) -> MaintenanceAction {
        if held { return .reject(reason: "instance paused: resume it first (instance.resume)") }
        switch state {
        case .idle:
            state = .maintenance(operation)
            return .proceed
        case .running(var active):
            if active.stop == .cancelForReset { return .reject(reason: "instance busy: a reset is already cancelling run \(active.runID)") }
            if active.stop?.suspendsRun == true { return .reject(reason: "shutting down") }
            guard cancelRunning, operation == .reset else {
                return .reject(reason: "instance busy: run \(active.runID) is active (pass cancel to cancel it first)")
            }
            active.stop = .cancelForReset
            state = .running(active)
            return .cancelThenProceed(runID: active.runID, task: active.task)
        case .maintenance(let other):
            return .reject(reason: "instance busy: \(other.rawValue) in progress")
        case .closed:
            return .reject(reason: "shutting down")
        }
    }

    /// The process is stopping gracefully: nothing new starts; an active run stops at its next
    /// superstep boundary, once the superstep in flight is committed. Returns the run to wait for.
    mutating func drain() -> String? {
        switch state {
        case .running(var active):
            if active.stop != .suspend { active.stop = .drain }
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
    mutating func suspend() -> CancelAction {
        switch state {
        case .running(var active):
            active.stop = .suspend
            state = .running(active)
            return .cancel(runID: active.runID, task: active.task)
        case .idle:
            state = .closed
            return .nothingToCancel
        case .maintenance, .closed:
            return .nothingToCancel
        }
    }

    /// The maintenance operation ended. A successful reset clears the queue, the idempotency
    /// keys and the inbox (returned so their waiters can be told); `startingRun` moves straight
    /// to running (a rewind whose checkpoint has work in flight). Otherwise the next run starts:
    /// a continuation if responses wait (a failed reset leaves them), else the next queued one.
    mutating func maintenanceFinished(resetSucceeded: Bool, startingRun runID: String? = nil,
                                          continuationRunID: @autoclosure () -> String) -> MaintenanceEnd {
        var end = MaintenanceEnd()
        if resetSucceeded {
            end.droppedRuns = queue
            queue = []
            keys.removeAll()
            inbox = []
            afterRun = []
            end.droppedContinuation = promisedContinuation
            promisedContinuation = nil
        }
        if state == .closed { return end }
        if let runID {
            state = .running(ActiveRun(runID: runID))
            return end
        }
        state = .idle
        end.next = nextRunIfIdle(continuationRunID: continuationRunID())
        return end
    }

    /// When nothing is active: the run that starts next (it is active from here), if any. A
    /// continuation for waiting responses comes before queued runs: the responses answer a
    /// conversation that is already going on. The continuation takes them at its first boundary.
    mutating func nextRunIfIdle(continuationRunID: @autoclosure () -> String) -> NextRun? {
        guard state == .idle, !held else { return nil }
        let waiting = inbox + afterRun
        if !waiting.isEmpty {
            let runID = promisedContinuation ?? continuationRunID()
            promisedContinuation = nil
            inbox = waiting
            afterRun = []
            state = .running(ActiveRun(runID: runID))
            return .continuation(runID: runID)
        }
        return nextQueuedRunIfIdle()
    }

    /// When nothing is active: the next queued run (it is active from here), if any. After a
    /// start the store refused, only queued runs are tried: each fails on its own, and responses
    /// wait for the next run that starts (or for recovery).
    mutating func nextQueuedRunIfIdle() -> NextRun? {
        guard state == .idle, !held, !queue.isEmpty else { return nil }
        let next = queue.removeFirst()
        state = .running(ActiveRun(runID: next.runID))
        return .queued(next)
    }

    // MARK: Holding

    /// Holds an idle instance (it is paused): see ``held``. False if a run is active or the
    /// instance is being rebuilt or closed (only an idle instance is held).
    mutating func hold() -> Bool {
        guard state == .idle else { return false }
        held = true
        return true
    }

    /// Ends the hold (the instance is resumed): what it kept starts as after a recovery.
    mutating func unhold() {
        held = false
    }

    // MARK: Recovery

    /// Puts back what the store kept: the queue, the keys, the responses accepted for a
    /// continuation, and the id promised to that continuation. (Responses accepted for a run are
    /// in flight in its checkpoint.)
    mutating func restore(queue: [QueuedRun], keys restored: [IdempotencyKey], afterRun: [PendingMessage] = [],
                          promisedContinuation: String? = nil, now: Double) {
        self.queue = queue
        self.afterRun = afterRun
        self.promisedContinuation = afterRun.isEmpty ? nil : promisedContinuation
        for key in restored.sorted(by: { $0.createdAt < $1.createdAt }) { keys.insert(key, now: now) }
    }
}

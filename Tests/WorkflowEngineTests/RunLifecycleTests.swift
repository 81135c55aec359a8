import Testing
@testable import WorkflowEngine

/// A response delivery for request `id` (what the instance hands the lifecycle).
func delivery(_ id: String) -> PendingMessage {
    PendingMessage(source: "response", target: 0, payload: .string(id),
                   request: WorkflowRequest(id: id, executor: "ask", payload: .null, schema: true, runID: "r0", superstep: 1, time: 0))
}

extension RunLifecycle {
    /// The request ids of the responses waiting in the inbox.
    var inboxIDs: [String] { inbox.compactMap { $0.request?.id } }
    /// The request ids of the responses waiting for a continuation.
    var afterRunIDs: [String] { afterRun.compactMap { $0.request?.id } }
}

/// The run lifecycle without any workflow or I/O: every decision as a value.
@Suite("Run lifecycle state machine")
struct RunLifecycleTests {
    static let now = 1_000_000.0

    func running(_ runID: String, phase: RunLifecycle.ActiveRun.Phase = .working, stop: RunLifecycle.ActiveRun.Stop? = nil) -> RunLifecycle.State {
        .running(.init(runID: runID, phase: phase, stop: stop))
    }

    @Test("a held (paused) instance starts nothing: a start is refused (or queued by the queue policy), a response waits for the continuation promised to it, recovery and maintenance take nothing up")
    func held() {
        var machine = RunLifecycle(policy: .reject)
        #expect(machine.startRequested(runID: "r1", input: 1, idempotencyKey: nil, now: Self.now) == .start)
        let refusedWhileRunning = machine.hold()
        #expect(!refusedWhileRunning, "only an idle instance is held")
        #expect(machine.runFinished(runID: "r1", continuationRunID: "c") == .becomeIdle)
        let held = machine.hold()
        #expect(held)
        #expect(machine.startRequested(runID: "r2", input: 2, idempotencyKey: nil, now: Self.now)
                == .reject(reason: "instance paused (instance.resume goes on)"))
        #expect(machine.startRequested(runID: "r3", input: 3, idempotencyKey: "k", now: Self.now, onBusy: .queue) == .enqueue(position: 1))
        #expect(machine.startRequested(runID: "r4", input: 3, idempotencyKey: "k", now: Self.now) == .existing(runID: "r3"))
        #expect(machine.responseAccepted(delivery("q1"), continuationRunID: "c1") == .holdForResume(continuationRunID: "c1"))
        #expect(machine.responseAccepted(delivery("q2"), continuationRunID: "c2") == .holdForResume(continuationRunID: "c1"), "one continuation for all")
        #expect(machine.afterRunIDs == ["q1", "q2"])
        #expect(machine.state == .idle)
        #expect(machine.nextRunIfIdle(continuationRunID: "c3") == nil)
        #expect(machine.nextQueuedRunIfIdle() == nil)
        #expect(machine.recoveryRun(resuming: "r1", continuationRunID: "c4") == nil)
        #expect(machine.maintenanceRequested(.reset, cancelRunning: true) == .reject(reason: "instance paused: resume it first (instance.resume)"))
        #expect(machine.state == .idle)
    }

    @Test("a second start while running is rejected at once under the reject policy")
    func rejectWhenBusy() {
        var machine = RunLifecycle(policy: .reject)
        #expect(machine.startRequested(runID: "r1", input: 1, idempotencyKey: nil, now: Self.now) == .start)
        #expect(machine.state == running("r1"))
        #expect(machine.startRequested(runID: "r2", input: 2, idempotencyKey: nil, now: Self.now) == .reject(reason: "instance busy: run r1 is active"))
        #expect(machine.runFinished(runID: "r1", continuationRunID: "c") == .becomeIdle)
        #expect(machine.startRequested(runID: "r3", input: 3, idempotencyKey: nil, now: Self.now) == .start)
    }

    @Test("the queue policy queues in FIFO order, up to its limit, and hands the next run over on finish")
    func queue() {
        var machine = RunLifecycle(policy: .queue, queueLimit: 2)
        #expect(machine.startRequested(runID: "r1", input: 1, idempotencyKey: nil, now: Self.now) == .start)
        #expect(machine.startRequested(runID: "r2", input: 2, idempotencyKey: nil, now: Self.now) == .enqueue(position: 1))
        #expect(machine.startRequested(runID: "r3", input: 3, idempotencyKey: nil, now: Self.now) == .enqueue(position: 2))
        guard case .reject(let reason) = machine.startRequested(runID: "r4", input: 4, idempotencyKey: nil, now: Self.now) else {
            Issue.record("a full queue took another run")
            return
        }
        #expect(reason.contains("2 runs are queued (the limit)"))
        #expect(machine.runFinished(runID: "r1", continuationRunID: "c") == .start(.queued(.init(runID: "r2", input: 2, idempotencyKey: nil))))
        #expect(machine.runFinished(runID: "r2", continuationRunID: "c") == .start(.queued(.init(runID: "r3", input: 3, idempotencyKey: nil))))
        #expect(machine.runFinished(runID: "r3", continuationRunID: "c") == .becomeIdle)
        #expect(machine.state == .idle)
    }

    @Test("an idempotency key returns the same run, running, queued or finished")
    func idempotency() {
        var machine = RunLifecycle(policy: .queue)
        #expect(machine.startRequested(runID: "r1", input: 1, idempotencyKey: "k1", now: Self.now) == .start)
        #expect(machine.startRequested(runID: "r9", input: 1, idempotencyKey: "k1", now: Self.now) == .existing(runID: "r1"))
        #expect(machine.startRequested(runID: "r2", input: 2, idempotencyKey: "k2", now: Self.now) == .enqueue(position: 1))
        #expect(machine.startRequested(runID: "r8", input: 2, idempotencyKey: "k2", now: Self.now) == .existing(runID: "r2"))
        _ = machine.runFinished(runID: "r1", continuationRunID: "c")
        _ = machine.runFinished(runID: "r2", continuationRunID: "c")
        #expect(machine.startRequested(runID: "r7", input: 1, idempotencyKey: "k1", now: Self.now) == .existing(runID: "r1"))
    }

    @Test("idempotency keys expire by age and by count, so they cannot pile up")
    func keysExpire() {
        var machine = RunLifecycle(policy: .reject, keyLimit: 3, keyLifetime: 60)
        for n in 1...5 {
            #expect(machine.startRequested(runID: "r\(n)", input: 1, idempotencyKey: "k\(n)", now: Self.now + Double(n)) == .start)
            _ = machine.runFinished(runID: "r\(n)", continuationRunID: "c")
        }
        // Only the newest three are kept...
        #expect(machine.keys.all.map(\.key) == ["k3", "k4", "k5"])
        #expect(machine.startRequested(runID: "r6", input: 1, idempotencyKey: "k1", now: Self.now + 6) == .start)
        _ = machine.runFinished(runID: "r6", continuationRunID: "c")
        #expect(machine.startRequested(runID: "x", input: 1, idempotencyKey: "k5", now: Self.now + 7) == .existing(runID: "r5"))
        // ...and none outlives its lifetime: a minute later the key starts a new run.
        #expect(machine.startRequested(runID: "r7", input: 1, idempotencyKey: "k5", now: Self.now + 5 + 60) == .start)
        #expect(machine.keys.count <= 3)
    }

    @Test("a response continues an idle instance, and waits in the inbox for a working run, which takes it at its boundary")
    func responses() {
        var machine = RunLifecycle(policy: .reject)
        #expect(machine.responseAccepted(delivery("q1"), continuationRunID: "c1") == .startContinuation(runID: "c1"))
        #expect(machine.state == running("c1"))
        #expect(machine.inboxIDs == ["q1"], "the continuation takes its response at its first boundary")
        #expect(machine.responseAccepted(delivery("q2"), continuationRunID: "c2") == .deliverToActiveRun(runID: "c1"))
        #expect(machine.inboxIDs == ["q1", "q2"])
        #expect(machine.takeInbox().compactMap { $0.request?.id } == ["q1", "q2"])
        #expect(machine.inbox.isEmpty)
        #expect(machine.runFinished(runID: "c1", continuationRunID: "c3") == .becomeIdle)
    }

    @Test("a response accepted while the run is ending is promised to a continuation that starts when the run ends")
    func responseWhileEnding() {
        var machine = RunLifecycle(policy: .reject)
        _ = machine.startRequested(runID: "r1", input: 1, idempotencyKey: nil, now: Self.now)
        #expect(machine.runEnding(runID: "r1").isEmpty)
        #expect(machine.state == running("r1", phase: .ending))
        #expect(machine.responseAccepted(delivery("q1"), continuationRunID: "c1") == .deliverAfterActiveRun(runID: "r1", continuationRunID: "c1"))
        // A second response goes to the same continuation.
        #expect(machine.responseAccepted(delivery("q2"), continuationRunID: "c2") == .deliverAfterActiveRun(runID: "r1", continuationRunID: "c1"))
        #expect(machine.runFinished(runID: "r1", continuationRunID: "c9") == .start(.continuation(runID: "c1")))
        #expect(machine.state == running("c1"))
        #expect(machine.inboxIDs == ["q1", "q2"], "the continuation takes them at its first boundary")
    }

    @Test("a response accepted before a cancel stays with the cancelled run's work; one accepted after it gets a continuation before any queued run")
    func responsesAroundACancel() {
        var machine = RunLifecycle(policy: .queue)
        _ = machine.startRequested(runID: "r1", input: 1, idempotencyKey: nil, now: Self.now)
        _ = machine.startRequested(runID: "r2", input: 2, idempotencyKey: nil, now: Self.now)
        #expect(machine.responseAccepted(delivery("q1"), continuationRunID: "c1") == .deliverToActiveRun(runID: "r1"))
        #expect(machine.cancelRequested() == .cancel(runID: "r1", task: nil))
        #expect(machine.responseAccepted(delivery("q2"), continuationRunID: "c2") == .deliverAfterActiveRun(runID: "r1", continuationRunID: "c2"))
        #expect(machine.runEnding(runID: "r1").compactMap { $0.request?.id } == ["q1"], "the cancelled run keeps what was for it")
        #expect(machine.runFinished(runID: "r1", continuationRunID: "c9") == .start(.continuation(runID: "c2")))
        #expect(machine.inboxIDs == ["q2"])
        _ = machine.takeInbox()
        #expect(machine.runFinished(runID: "c2", continuationRunID: "c9") == .start(.queued(.init(runID: "r2", input: 2, idempotencyKey: nil))))
    }

    @Test("a withdrawn response (its commit failed) takes back the continuation promised to it alone")
    func withdrawnResponse() {
        var machine = RunLifecycle(policy: .reject)
        _ = machine.startRequested(runID: "r1", input: 1, idempotencyKey: nil, now: Self.now)
        _ = machine.runEnding(runID: "r1")
        _ = machine.responseAccepted(delivery("q1"), continuationRunID: "c1")
        #expect(machine.deliveryWithdrawn(id: "q1") == "c1")
        #expect(machine.runFinished(runID: "r1", continuationRunID: "c9") == .becomeIdle)
    }

    @Test("a cancel is a stop of the active run, and hands over its task; a stop already asked for stands")
    func cancel() async {
        var machine = RunLifecycle(policy: .reject)
        #expect(machine.cancelRequested() == .nothingToCancel)
        _ = machine.startRequested(runID: "r1", input: 1, idempotencyKey: nil, now: Self.now)
        #expect(machine.stopRequest == nil)
        let task = Task<Void, Never> {}
        machine.runTaskStarted(runID: "r1", task: task)
        #expect(machine.cancelRequested() == .cancel(runID: "r1", task: task))
        #expect(machine.stopRequest == .cancel)
        #expect(machine.drain() == "r1")
        #expect(machine.stopRequest == .drain)
        #expect(machine.cancelRequested() == .cancel(runID: "r1", task: task))
        #expect(machine.stopRequest == .drain, "a cancel does not turn a graceful stop into a cancelled run")
        #expect(machine.runFinished(runID: "r1", continuationRunID: "c") == .close)
        #expect(machine.stopRequest == nil)
    }

    @Test("reset is rejected while running unless asked to cancel; then nothing queued starts and the inbox is cleared")
    func resetWhileRunning() {
        var machine = RunLifecycle(policy: .queue)
        _ = machine.startRequested(runID: "r1", input: 1, idempotencyKey: "k", now: Self.now)
        _ = machine.startRequested(runID: "r2", input: 2, idempotencyKey: nil, now: Self.now)
        _ = machine.responseAccepted(delivery("q1"), continuationRunID: "c1")
        guard case .reject = machine.maintenanceRequested(.reset, cancelRunning: false) else {
            Issue.record("reset without cancel was not rejected")
            return
        }
        #expect(machine.maintenanceRequested(.reset, cancelRunning: true) == .cancelThenProceed(runID: "r1", task: nil))
        #expect(machine.stopRequest == .cancelForReset)
        // While the reset waits, nothing new may start or be answered.
        guard case .reject = machine.startRequested(runID: "r3", input: 3, idempotencyKey: nil, now: Self.now) else {
            Issue.record("start during a pending reset was not rejected")
            return
        }
        guard case .reject = machine.responseAccepted(delivery("q2"), continuationRunID: "c") else {
            Issue.record("a response during a pending reset was not rejected")
            return
        }
        #expect(machine.runFinished(runID: "r1", continuationRunID: "c") == .handOverToMaintenance)
        #expect(machine.state == .maintenance(.reset))
        let end = machine.maintenanceFinished(resetSucceeded: true, continuationRunID: "c")
        #expect(end.droppedRuns.map(\.runID) == ["r2"])
        #expect(end.next == nil)
        #expect(machine.state == .idle)
        #expect(machine.keys.count == 0)
        #expect(machine.queue.isEmpty)
        #expect(machine.inbox.isEmpty)
    }

    @Test("a failed reset keeps queued runs, keys and responses; the responses' continuation starts first")
    func failedReset() {
        var machine = RunLifecycle(policy: .queue)
        _ = machine.startRequested(runID: "r1", input: 1, idempotencyKey: "k", now: Self.now)
        _ = machine.startRequested(runID: "r2", input: 2, idempotencyKey: nil, now: Self.now)
        _ = machine.runEnding(runID: "r1")
        _ = machine.responseAccepted(delivery("q1"), continuationRunID: "c1")
        _ = machine.maintenanceRequested(.reset, cancelRunning: true)
        _ = machine.runFinished(runID: "r1", continuationRunID: "c")
        let end = machine.maintenanceFinished(resetSucceeded: false, continuationRunID: "c")
        #expect(end.droppedRuns.isEmpty && end.droppedContinuation == nil)
        #expect(end.next == .continuation(runID: "c1"))
        #expect(machine.keys.all.map(\.runID) == ["r1"])
        _ = machine.takeInbox()
        #expect(machine.runFinished(runID: "c1", continuationRunID: "c") == .start(.queued(.init(runID: "r2", input: 2, idempotencyKey: nil))))
    }

    @Test("a successful reset drops the continuation promised to the responses it cleared")
    func resetDropsPromise() {
        var machine = RunLifecycle(policy: .reject)
        _ = machine.startRequested(runID: "r1", input: 1, idempotencyKey: nil, now: Self.now)
        _ = machine.runEnding(runID: "r1")
        _ = machine.responseAccepted(delivery("q1"), continuationRunID: "c1")
        _ = machine.maintenanceRequested(.reset, cancelRunning: true)
        #expect(machine.runFinished(runID: "r1", continuationRunID: "c") == .handOverToMaintenance)
        let end = machine.maintenanceFinished(resetSucceeded: true, continuationRunID: "c")
        #expect(end.droppedContinuation == "c1")
        #expect(end.next == nil && machine.state == .idle && machine.waitingResponses.isEmpty)
    }

    @Test("a rewind may go straight into the run that continues its checkpoint; only a reset may cancel")
    func rewindContinues() {
        var machine = RunLifecycle(policy: .reject)
        #expect(machine.maintenanceRequested(.rewind, cancelRunning: false) == .proceed)
        guard case .reject = machine.maintenanceRequested(.reset, cancelRunning: true) else {
            Issue.record("two maintenance operations at once")
            return
        }
        _ = machine.maintenanceFinished(resetSucceeded: false, startingRun: "r5", continuationRunID: "c")
        #expect(machine.activeRunID == "r5")
        guard case .reject = machine.maintenanceRequested(.rewind, cancelRunning: true) else {
            Issue.record("a rewind cancelled the active run")
            return
        }
    }

    @Test("an aborted start goes back to idle without starting the queue, and forgets its key")
    func abortedStart() {
        var machine = RunLifecycle(policy: .queue)
        _ = machine.startRequested(runID: "r1", input: 1, idempotencyKey: "k", now: Self.now)
        machine.startAborted(runID: "r1")
        #expect(machine.state == .idle)
        #expect(machine.cancelRequested() == .nothingToCancel)
        #expect(machine.startRequested(runID: "r2", input: 1, idempotencyKey: "k", now: Self.now) == .start)
    }

    @Test("while the process stops nothing starts, responses are refused, and the run ends closed")
    func stopping() {
        var machine = RunLifecycle(policy: .queue)
        _ = machine.startRequested(runID: "r1", input: 1, idempotencyKey: nil, now: Self.now)
        #expect(machine.drain() == "r1")
        #expect(machine.startRequested(runID: "r2", input: 2, idempotencyKey: nil, now: Self.now) == .reject(reason: "shutting down"))
        #expect(machine.responseAccepted(delivery("q1"), continuationRunID: "c") == .reject(reason: "shutting down"))
        #expect(machine.suspend() == .cancel(runID: "r1", task: nil))
        #expect(machine.stopRequest == .suspend)
        #expect(machine.runFinished(runID: "r1", continuationRunID: "c") == .close)
        #expect(machine.state == .closed)
    }

    @Test("recovery puts the queue, keys and inbox back; it resumes the interrupted run, or a continuation with its promised id")
    func recovery() {
        var machine = RunLifecycle(policy: .queue)
        machine.restore(queue: [.init(runID: "q1", input: 1, idempotencyKey: "kq")],
                        keys: [IdempotencyKey(key: "kq", runID: "q1", createdAt: Self.now)], now: Self.now + 1)
        #expect(machine.recoveryRun(resuming: nil, continuationRunID: "c") == nil, "nothing to take up")
        #expect(machine.recoveryRun(resuming: "r0", continuationRunID: "c") == "r0")
        #expect(machine.recoveryRun(resuming: "r00", continuationRunID: "c") == nil, "not idle")
        #expect(machine.startRequested(runID: "x", input: 1, idempotencyKey: "kq", now: Self.now + 2) == .existing(runID: "q1"))
        #expect(machine.runFinished(runID: "r0", continuationRunID: "c") == .start(.queued(.init(runID: "q1", input: 1, idempotencyKey: "kq"))))

        var delivering = RunLifecycle(policy: .reject)
        delivering.restore(queue: [], keys: [], afterRun: [delivery("q7")], promisedContinuation: "c7", now: Self.now)
        #expect(delivering.recoveryRun(resuming: nil, continuationRunID: "fresh") == "c7")
        #expect(delivering.inboxIDs == ["q7"])
    }
}

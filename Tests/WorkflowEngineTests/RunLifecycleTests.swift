import Testing
@testable import WorkflowEngine

/// The run lifecycle without any workflow or I/O: every decision as a value.
@Suite("Run lifecycle state machine")
struct RunLifecycleTests {
    static let now = 1_000_000.0

    func running(_ runID: String, cancel: Bool = false, maintenance: Bool = false) -> RunLifecycle.State {
        .running(.init(runID: runID, cancelRequested: cancel, maintenanceWaiting: maintenance))
    }

    @Test("a second start while running is rejected at once under the reject policy")
    func rejectWhenBusy() {
        var machine = RunLifecycle(policy: .reject)
        #expect(machine.startRequested(runID: "r1", input: 1, idempotencyKey: nil, now: Self.now) == .start)
        #expect(machine.state == running("r1"))
        #expect(machine.startRequested(runID: "r2", input: 2, idempotencyKey: nil, now: Self.now) == .reject(reason: "instance busy: run r1 is active"))
        #expect(machine.runFinished(runID: "r1") == .becomeIdle)
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
        #expect(machine.runFinished(runID: "r1") == .startQueued(.init(runID: "r2", input: 2, idempotencyKey: nil)))
        #expect(machine.runFinished(runID: "r2") == .startQueued(.init(runID: "r3", input: 3, idempotencyKey: nil)))
        #expect(machine.runFinished(runID: "r3") == .becomeIdle)
        #expect(machine.state == .idle)
    }

    @Test("an idempotency key returns the same run, running, queued or finished")
    func idempotency() {
        var machine = RunLifecycle(policy: .queue)
        #expect(machine.startRequested(runID: "r1", input: 1, idempotencyKey: "k1", now: Self.now) == .start)
        #expect(machine.startRequested(runID: "r9", input: 1, idempotencyKey: "k1", now: Self.now) == .existing(runID: "r1"))
        #expect(machine.startRequested(runID: "r2", input: 2, idempotencyKey: "k2", now: Self.now) == .enqueue(position: 1))
        #expect(machine.startRequested(runID: "r8", input: 2, idempotencyKey: "k2", now: Self.now) == .existing(runID: "r2"))
        _ = machine.runFinished(runID: "r1")
        _ = machine.runFinished(runID: "r2")
        #expect(machine.startRequested(runID: "r7", input: 1, idempotencyKey: "k1", now: Self.now) == .existing(runID: "r1"))
    }

    @Test("idempotency keys expire by age and by count, so they cannot pile up")
    func keysExpire() {
        var machine = RunLifecycle(policy: .reject, keyLimit: 3, keyLifetime: 60)
        for n in 1...5 {
            #expect(machine.startRequested(runID: "r\(n)", input: 1, idempotencyKey: "k\(n)", now: Self.now + Double(n)) == .start)
            _ = machine.runFinished(runID: "r\(n)")
        }
        // Only the newest three are kept...
        #expect(machine.keys.all.map(\.key) == ["k3", "k4", "k5"])
        #expect(machine.startRequested(runID: "r6", input: 1, idempotencyKey: "k1", now: Self.now + 6) == .start)
        _ = machine.runFinished(runID: "r6")
        #expect(machine.startRequested(runID: "x", input: 1, idempotencyKey: "k5", now: Self.now + 7) == .existing(runID: "r5"))
        // ...and none outlives its lifetime: a minute later the key starts a new run.
        #expect(machine.startRequested(runID: "r7", input: 1, idempotencyKey: "k5", now: Self.now + 5 + 60) == .start)
        #expect(machine.keys.count <= 3)
    }

    @Test("a response continues an idle instance and is delivered to an active run")
    func responses() {
        var machine = RunLifecycle(policy: .reject)
        #expect(machine.responseAccepted(continuationRunID: "c1") == .startContinuation)
        #expect(machine.state == running("c1"))
        #expect(machine.responseAccepted(continuationRunID: "c2") == .deliverToActiveRun(runID: "c1"))
    }

    @Test("a cancel is a state of the active run, and hands over its task")
    func cancel() async {
        var machine = RunLifecycle(policy: .reject)
        #expect(machine.cancelRequested() == .nothingToCancel)
        _ = machine.startRequested(runID: "r1", input: 1, idempotencyKey: nil, now: Self.now)
        #expect(!machine.isCancelRequested)
        let task = Task<Void, Never> {}
        machine.runTaskStarted(runID: "r1", task: task)
        #expect(machine.cancelRequested() == .cancel(runID: "r1", task: task))
        #expect(machine.isCancelRequested)
        #expect(machine.runFinished(runID: "r1") == .becomeIdle)
        #expect(!machine.isCancelRequested)
    }

    @Test("reset is rejected while running unless asked to cancel; then nothing queued starts")
    func resetWhileRunning() {
        var machine = RunLifecycle(policy: .queue)
        _ = machine.startRequested(runID: "r1", input: 1, idempotencyKey: "k", now: Self.now)
        _ = machine.startRequested(runID: "r2", input: 2, idempotencyKey: nil, now: Self.now)
        guard case .reject = machine.maintenanceRequested("reset", cancelRunning: false) else {
            Issue.record("reset without cancel was not rejected")
            return
        }
        #expect(machine.maintenanceRequested("reset", cancelRunning: true) == .cancelThenProceed(runID: "r1", task: nil))
        #expect(machine.isCancelRequested)
        // While the reset waits, nothing new may start or be answered.
        guard case .reject = machine.startRequested(runID: "r3", input: 3, idempotencyKey: nil, now: Self.now) else {
            Issue.record("start during a pending reset was not rejected")
            return
        }
        guard case .reject = machine.responseAccepted(continuationRunID: "c") else {
            Issue.record("a response during a pending reset was not rejected")
            return
        }
        #expect(machine.runFinished(runID: "r1") == .handOverToMaintenance)
        #expect(machine.state == .maintenance(operation: "reset"))
        let dropped = machine.maintenanceFinished(resetSucceeded: true)
        #expect(dropped.map(\.runID) == ["r2"])
        #expect(machine.state == .idle)
        #expect(machine.keys.count == 0)
        #expect(machine.queue.isEmpty)
    }

    @Test("a failed reset keeps queued runs and keys, and the next queued run can start")
    func failedReset() {
        var machine = RunLifecycle(policy: .queue)
        _ = machine.startRequested(runID: "r1", input: 1, idempotencyKey: "k", now: Self.now)
        _ = machine.startRequested(runID: "r2", input: 2, idempotencyKey: nil, now: Self.now)
        _ = machine.maintenanceRequested("reset", cancelRunning: true)
        _ = machine.runFinished(runID: "r1")
        #expect(machine.maintenanceFinished(resetSucceeded: false).isEmpty)
        #expect(machine.keys.all.map(\.runID) == ["r1"])
        #expect(machine.dequeueIfIdle()?.runID == "r2")
        #expect(machine.state == running("r2"))
    }

    @Test("a rewind may go straight into the run that continues its checkpoint")
    func rewindContinues() {
        var machine = RunLifecycle(policy: .reject)
        #expect(machine.maintenanceRequested("rewind", cancelRunning: false) == .proceed)
        guard case .reject = machine.maintenanceRequested("reset", cancelRunning: true) else {
            Issue.record("two maintenance operations at once")
            return
        }
        machine.maintenanceFinished(resetSucceeded: false, startingRun: "r5")
        #expect(machine.activeRunID == "r5")
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

    @Test("recovery puts the queue and keys back, and resumes only from idle")
    func recovery() {
        var machine = RunLifecycle(policy: .queue)
        machine.restore(queue: [.init(runID: "q1", input: 1, idempotencyKey: "kq")],
                        keys: [IdempotencyKey(key: "kq", runID: "q1", createdAt: Self.now)], now: Self.now + 1)
        let resumed = machine.runRecovered(runID: "r0")
        let again = machine.runRecovered(runID: "r00")
        #expect(resumed && !again)
        #expect(machine.startRequested(runID: "x", input: 1, idempotencyKey: "kq", now: Self.now + 2) == .existing(runID: "q1"))
        #expect(machine.runFinished(runID: "r0") == .startQueued(.init(runID: "q1", input: 1, idempotencyKey: "kq")))
    }
}

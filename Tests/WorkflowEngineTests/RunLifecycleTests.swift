import Testing
@testable import WorkflowEngine

/// The run lifecycle without any workflow or I/O: every decision as a value.
@Suite("Run lifecycle state machine")
struct RunLifecycleTests {
    @Test("a second start while running is rejected at once under the reject policy")
    func rejectWhenBusy() {
        var machine = RunLifecycle(policy: .reject)
        #expect(machine.startRequested(runID: "r1", input: 1, idempotencyKey: nil) == .start)
        #expect(machine.state == .running(runID: "r1", maintenanceWaiting: false))
        #expect(machine.startRequested(runID: "r2", input: 2, idempotencyKey: nil) == .reject(reason: "instance busy: run r1 is active"))
        #expect(machine.runFinished(runID: "r1") == .becomeIdle)
        #expect(machine.startRequested(runID: "r3", input: 3, idempotencyKey: nil) == .start)
    }

    @Test("the queue policy queues in FIFO order and hands the next run over on finish")
    func queue() {
        var machine = RunLifecycle(policy: .queue)
        #expect(machine.startRequested(runID: "r1", input: 1, idempotencyKey: nil) == .start)
        #expect(machine.startRequested(runID: "r2", input: 2, idempotencyKey: nil) == .enqueue(position: 1))
        #expect(machine.startRequested(runID: "r3", input: 3, idempotencyKey: nil) == .enqueue(position: 2))
        #expect(machine.runFinished(runID: "r1") == .startQueued(.init(runID: "r2", input: 2, idempotencyKey: nil)))
        #expect(machine.runFinished(runID: "r2") == .startQueued(.init(runID: "r3", input: 3, idempotencyKey: nil)))
        #expect(machine.runFinished(runID: "r3") == .becomeIdle)
        #expect(machine.state == .idle)
    }

    @Test("an idempotency key returns the same run, running, queued or finished")
    func idempotency() {
        var machine = RunLifecycle(policy: .queue)
        #expect(machine.startRequested(runID: "r1", input: 1, idempotencyKey: "k1") == .start)
        #expect(machine.startRequested(runID: "r9", input: 1, idempotencyKey: "k1") == .existing(runID: "r1"))
        #expect(machine.startRequested(runID: "r2", input: 2, idempotencyKey: "k2") == .enqueue(position: 1))
        #expect(machine.startRequested(runID: "r8", input: 2, idempotencyKey: "k2") == .existing(runID: "r2"))
        _ = machine.runFinished(runID: "r1")
        _ = machine.runFinished(runID: "r2")
        #expect(machine.startRequested(runID: "r7", input: 1, idempotencyKey: "k1") == .existing(runID: "r1"))
    }

    @Test("a response continues an idle instance and is delivered to an active run")
    func responses() {
        var machine = RunLifecycle(policy: .reject)
        #expect(machine.responseAccepted(continuationRunID: "c1") == .startContinuation)
        #expect(machine.state == .running(runID: "c1", maintenanceWaiting: false))
        #expect(machine.responseAccepted(continuationRunID: "c2") == .deliverToActiveRun(runID: "c1"))
    }

    @Test("reset is rejected while running unless asked to cancel; then nothing queued starts")
    func resetWhileRunning() {
        var machine = RunLifecycle(policy: .queue)
        _ = machine.startRequested(runID: "r1", input: 1, idempotencyKey: "k")
        _ = machine.startRequested(runID: "r2", input: 2, idempotencyKey: nil)
        guard case .reject = machine.maintenanceRequested("reset", cancelRunning: false) else {
            Issue.record("reset without cancel was not rejected")
            return
        }
        #expect(machine.maintenanceRequested("reset", cancelRunning: true) == .cancelThenProceed(runID: "r1"))
        // While the reset waits, nothing new may start or be answered.
        guard case .reject = machine.startRequested(runID: "r3", input: 3, idempotencyKey: nil) else {
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
        #expect(machine.idempotencyKeys.isEmpty)
        #expect(machine.queue.isEmpty)
    }

    @Test("a failed reset keeps queued runs and keys, and the next queued run can start")
    func failedReset() {
        var machine = RunLifecycle(policy: .queue)
        _ = machine.startRequested(runID: "r1", input: 1, idempotencyKey: "k")
        _ = machine.startRequested(runID: "r2", input: 2, idempotencyKey: nil)
        _ = machine.maintenanceRequested("reset", cancelRunning: true)
        _ = machine.runFinished(runID: "r1")
        #expect(machine.maintenanceFinished(resetSucceeded: false).isEmpty)
        #expect(machine.idempotencyKeys == ["k": "r1"])
        #expect(machine.dequeueIfIdle()?.runID == "r2")
        #expect(machine.state == .running(runID: "r2", maintenanceWaiting: false))
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

    @Test("an aborted start goes back to idle without starting the queue")
    func abortedStart() {
        var machine = RunLifecycle(policy: .queue)
        _ = machine.startRequested(runID: "r1", input: 1, idempotencyKey: nil)
        machine.startAborted(runID: "r1")
        #expect(machine.state == .idle)
        #expect(machine.cancelRequested() == .nothingToCancel)
    }
}

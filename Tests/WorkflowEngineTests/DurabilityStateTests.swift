import Testing
@testable import WorkflowEngine

/// An instance's standing with its store, without a store: every transition as a value.
@Suite("Durability state machine")
struct DurabilityStateTests {
    static let failure = WorkflowError(.storeFailed, "disk full")

    @Test("a failed commit with no run active returns at once; with one active, at the run's boundary")
    func failureReturns() throws {
        var idle = DurabilityState()
        #expect(idle.commitFailed(Self.failure, runActive: false) == .returnNow)
        var busy = DurabilityState()
        #expect(busy.commitFailed(Self.failure, runActive: true) == .returnAtRunBoundary)
        #expect(busy.failure?.message == "disk full")
        #expect(busy.brokenReason == nil)
        // Working again on the durable state: new work is taken all along (only broken refuses it).
        try busy.admitWork()
    }

    @Test("while ahead of the store nothing is committed, and the refusal is an error of its own naming the earlier failure")
    func aheadRefusesCommits() throws {
        var state = DurabilityState()
        try state.admitCommit(instance: "i")
        _ = state.commitFailed(Self.failure, runActive: true)
        let refusal = #expect(throws: WorkflowError.self) { try state.admitCommit(instance: "i") }
        #expect(refusal?.code == .storeFailed)
        #expect(refusal?.message.contains("the earlier failure: disk full") == true)
        #expect((refusal?.cause as? WorkflowError)?.message == "disk full")
        #expect(refusal?.message != Self.failure.message)
    }

    @Test("the return happens once: the first caller restores, later ones find the instance in step")
    func returnOnce() throws {
        var state = DurabilityState()
        #expect(state.returnBegins() == .none, "in step: nothing to return from")
        _ = state.commitFailed(Self.failure, runActive: true)
        #expect(state.returnBegins() == .restore)
        #expect(state.returnBegins() == .none)
        try state.admitCommit(instance: "i")
    }

    @Test("a return that fails breaks the instance: new work is refused with the reason until a reset or rewind replaces its state")
    func broken() throws {
        var state = DurabilityState()
        _ = state.commitFailed(Self.failure, runActive: false)
        #expect(state.returnBegins() == .restore)
        let reason = WorkflowError(.instanceBroken, "executor 'x' cannot restore its snapshot")
        state.returnFailed(reason)
        #expect(state.brokenReason?.code == .instanceBroken)
        let refused = #expect(throws: WorkflowError.self) { try state.admitWork() }
        #expect(refused?.code == .instanceBroken)
        #expect(state.returnBegins() == .none)
        state.failedCommitUndone()
        #expect(state.brokenReason != nil, "undoing a maintenance's own failed commit does not mend a broken instance")
        state.stateReplaced()
        #expect(state.brokenReason == nil)
        try state.admitWork()
    }

    @Test("a start waiting for its commit is confirmed by the next success, or lost by the next failure, and told once")
    func unconfirmedStarts() {
        var state = DurabilityState()
        state.startAwaitsCommit(runID: "r1")
        state.commitSucceeded()
        #expect(state.unconfirmedStart == nil)
        _ = state.commitFailed(Self.failure, runActive: true)
        #expect(state.takeLostStart(runID: "r1") == nil, "r1 was committed before the failure")

        var losing = DurabilityState()
        losing.startAwaitsCommit(runID: "r2")
        _ = losing.commitFailed(Self.failure, runActive: true)
        #expect(losing.unconfirmedStart == nil)
        #expect(losing.takeLostStart(runID: "other") == nil)
        #expect(losing.takeLostStart(runID: "r2")?.message == "disk full")
        #expect(losing.takeLostStart(runID: "r2") == nil)
    }

    @Test("an abandoned start leaves nothing behind: not waiting, not lost, and the failure it caused settled")
    func abandonedStart() throws {
        var state = DurabilityState()
        state.startAwaitsCommit(runID: "r1")
        _ = state.commitFailed(Self.failure, runActive: false)
        state.startAbandoned(runID: "r1")
        #expect(state.lostStart == nil && state.unconfirmedStart == nil)
        #expect(state.failure == nil)
        try state.admitCommit(instance: "i")
    }
}

import Testing
@testable import WorkflowEngine

/// The superstep loop's decisions, without a workflow: what a run does at a boundary and after a
/// superstep, for every combination that matters.
@Suite("Run progress (what the superstep loop does next)")
struct RunProgressTests {
    static let failure = WorkflowError(.storeFailed, "disk full")

    static func name(_ next: RunProgress.Next) -> String {
        switch next {
        case .fail: "fail"
        case .suspend: "suspend"
        case .cancel: "cancel"
        case .converge: "converge"
        case .exceedLimit: "exceedLimit"
        case .timeOut: "timeOut"
        case .runSuperstep: "runSuperstep"
        }
    }

    static func name(_ after: RunProgress.AfterSuperstep) -> String {
        switch after {
        case .fail: "fail"
        case .suspend: "suspend"
        case .landThenSuspend: "landThenSuspend"
        case .cancel: "cancel"
        case .timeOut: "timeOut"
        case .record: "record"
        }
    }

    @Test("a failed commit ends the run before anything else is looked at: a stop, a cancelled task, work in flight")
    func failureFirst() {
        var progress = RunProgress(limit: 10)
        let next = progress.atBoundary(storeFailure: Self.failure, stop: .suspend, taskCancelled: true, workInFlight: true)
        guard case .fail(let error) = next else { Issue.record("got \(Self.name(next))"); return }
        #expect(error.message == "disk full")
        #expect(progress.used == 0)
    }

    @Test("at a boundary a drain or a suspend stops the run without ending it; a cancel (or a cancelled task) ends it")
    func stopsAtBoundary() {
        var progress = RunProgress(limit: 10)
        #expect(Self.name(progress.atBoundary(storeFailure: nil, stop: .drain, taskCancelled: false, workInFlight: true)) == "suspend")
        #expect(Self.name(progress.atBoundary(storeFailure: nil, stop: .suspend, taskCancelled: false, workInFlight: true)) == "suspend")
        #expect(Self.name(progress.atBoundary(storeFailure: nil, stop: .cancel, taskCancelled: false, workInFlight: true)) == "cancel")
        #expect(Self.name(progress.atBoundary(storeFailure: nil, stop: .cancelForReset, taskCancelled: false, workInFlight: false)) == "cancel")
        #expect(Self.name(progress.atBoundary(storeFailure: nil, stop: nil, taskCancelled: true, workInFlight: true)) == "cancel")
        #expect(progress.used == 0, "no superstep was begun")
    }

    @Test("supersteps are counted as they begin; a run that spent its budget converges if nothing is left, and fails if work is")
    func budget() {
        var progress = RunProgress(limit: 2)
        #expect(Self.name(progress.atBoundary(storeFailure: nil, stop: nil, taskCancelled: false, workInFlight: true)) == "runSuperstep")
        #expect(Self.name(progress.atBoundary(storeFailure: nil, stop: nil, taskCancelled: false, workInFlight: true)) == "runSuperstep")
        #expect(progress.used == 2)
        var spent = progress
        #expect(Self.name(spent.atBoundary(storeFailure: nil, stop: nil, taskCancelled: false, workInFlight: false)) == "converge")
        #expect(Self.name(progress.atBoundary(storeFailure: nil, stop: nil, taskCancelled: false, workInFlight: true)) == "exceedLimit")
        #expect(progress.used == 2)
    }

    @Test("after a superstep: a failed commit or a suspend discards it, a cancel discards it, a drain lets it land, nothing records it")
    func afterASuperstep() {
        #expect(Self.name(RunProgress.afterSuperstep(storeFailure: Self.failure, stop: .drain, taskCancelled: false)) == "fail")
        #expect(Self.name(RunProgress.afterSuperstep(storeFailure: nil, stop: .suspend, taskCancelled: false)) == "suspend")
        #expect(Self.name(RunProgress.afterSuperstep(storeFailure: nil, stop: .cancel, taskCancelled: false)) == "cancel")
        #expect(Self.name(RunProgress.afterSuperstep(storeFailure: nil, stop: .cancelForReset, taskCancelled: false)) == "cancel")
        #expect(Self.name(RunProgress.afterSuperstep(storeFailure: nil, stop: .drain, taskCancelled: false)) == "landThenSuspend")
        #expect(Self.name(RunProgress.afterSuperstep(storeFailure: nil, stop: .drain, taskCancelled: true)) == "cancel")
        #expect(Self.name(RunProgress.afterSuperstep(storeFailure: nil, stop: nil, taskCancelled: true)) == "cancel")
        #expect(Self.name(RunProgress.afterSuperstep(storeFailure: nil, stop: nil, taskCancelled: false)) == "record")
    }

    @Test("a run past its runTimeout fails at a boundary with work left, but converges if nothing is; after a superstep it is discarded, unless a stop decides first")
    func timeOut() {
        var progress = RunProgress(limit: 10)
        #expect(Self.name(progress.atBoundary(storeFailure: nil, stop: nil, taskCancelled: false, workInFlight: true, timedOut: true)) == "timeOut")
        #expect(Self.name(progress.atBoundary(storeFailure: nil, stop: nil, taskCancelled: false, workInFlight: false, timedOut: true)) == "converge")
        #expect(Self.name(progress.atBoundary(storeFailure: nil, stop: .suspend, taskCancelled: false, workInFlight: true, timedOut: true)) == "suspend")
        #expect(progress.used == 0)
        #expect(Self.name(RunProgress.afterSuperstep(storeFailure: nil, stop: nil, taskCancelled: true, timedOut: true)) == "timeOut")
        #expect(Self.name(RunProgress.afterSuperstep(storeFailure: nil, stop: .drain, taskCancelled: false, timedOut: true)) == "landThenSuspend")
        #expect(Self.name(RunProgress.afterSuperstep(storeFailure: Self.failure, stop: nil, taskCancelled: false, timedOut: true)) == "fail")
    }
}

import Foundation
import Testing
import WorkflowEngine
import WorkflowTestSupport
@testable import WorkflowStore

/// Recovery through the engine after a real process was killed with SIGKILL in the middle of a
/// run (docs/semantics.md §5): the interrupted run resumes from the head (or is recorded failed), the
/// response it had accepted is delivered, queued runs start, idempotency keys still hold.
@Suite("Recovery after SIGKILL")
struct RecoveryTests {
    /// What the killed process reported: the interrupted run, its request, the two queued runs.
    struct Armed {
        var run: String
        var request: String
        var queued: [String]
    }

    /// Runs `workflowd-store-crasher DB --interrupted` until it is armed, then kills it.
    static func interrupt(_ database: String) async throws -> Armed {
        let crasher = try ChildProcess.start(try CrashTests.crasherPath(), [database, "--interrupted"])
        var output = ""
        for await line in crasher.lines {
            output = line + "\n"
            break
        }
        #expect(await crasher.kill() == -SIGKILL)
        let words = output.split(separator: " ").map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) }
        guard words.count == 5, words[0] == "armed" else {
            throw WorkflowError(.storeFailed, "the crasher did not arm: \(output)")
        }
        return Armed(run: words[1], request: words[2], queued: [words[3], words[4]])
    }

    @Test("resume: the interrupted run goes on from the head with run_recovered, delivers the accepted response; then the queue",
          .timeLimit(.minutes(3)))
    func resume() async throws {
        let db = try TemporaryDatabase()
        let armed = try await Self.interrupt(db.path)
        let store = try await SQLiteStore.open(path: db.path)
        let recovered = try #require(try await store.recover(instance: "hitl"))
        let recovery = recovered.recovery
        #expect(recovery.interruptedRuns == [armed.run])
        #expect(recovery.status == .inProgress)
        #expect(recovery.undeliveredResponses.map(\.requestID) == [armed.request])
        #expect(recovery.queuedRuns.map(\.runID) == armed.queued)
        #expect(Set(recovery.idempotencyKeys.map(\.key)) == ["first-key", "third-key"])
        let instance = try WorkflowInstance(recovering: recovery, workflow: try CrashWorkflows.interrupted(blocking: false),
                                            configuration: .init(store: store, onBusy: .queue))
        // Nothing runs before resumeRecovered: seqs continue where the log stopped.
        #expect(await instance.nextSeq == recovery.nextSeq)
        #expect(await instance.queuedRunIDs == armed.queued)
        let events = try await instance.subscribe()
        let outcome = try await instance.resumeRecovered(.resume)
        let resumed = try #require(outcome.resumed)
        #expect(resumed.runID == armed.run)
        #expect(outcome.failedRuns.isEmpty)
        let result = try await resumed.result()
        #expect(result.status == .idle, "\(result.pendingRequests.map(\.json)) head \(String(describing: recovery.head?.json))")
        #expect(result.outputs == [[["requestId": .string(armed.request), "request": ["approve": "first"], "response": true], "first"]])
        // The queued runs follow, in order; a key used again is the same run.
        let second = try await instance.result(of: armed.queued[0])
        let third = try await instance.result(of: armed.queued[1])
        #expect(second.status == .idleWithPendingRequests && third.status == .idleWithPendingRequests)
        let again = try await instance.start("anything", idempotencyKey: "third-key")
        #expect(again.runID == armed.queued[1] && again.disposition == .existing)
        // What the log says: run_recovered names the run and the head it resumed from; the
        // response is delivered to `ask` by that run; seqs go on without a gap.
        var seen: [WorkflowEvent] = []
        for try await event in events {
            seen.append(event)
            if event.runID == armed.queued[1], isEnd(event) { break }
        }
        let recoveredEvent = try #require(seen.first { $0.kind == .runRecovered })
        #expect(recoveredEvent.runID == armed.run)
        #expect(recoveredEvent.json["checkpointId"] == recovery.head.map { .string($0.id) })
        #expect(seen.contains { if case .executorInvoked("ask", _, _, armed.request) = $0.body { $0.runID == armed.run } else { false } })
        let log = try await store.events(instance: "hitl", afterSeq: 0, limit: 100_000).map(\.seq)
        #expect(log == Array(1...UInt64(log.count)))
        // The store: no run is left in progress; the first ended idle.
        let runs = try await store.runs(instance: "hitl")
        #expect(runs.first { $0.id == armed.run }?.status == "idle")
        #expect(!runs.contains { $0.status == "in_progress" })
        #expect(try await store.recover(instance: "hitl")?.recovery.undeliveredResponses.isEmpty == true)
        await instance.shutdown()
    }

    @Test("fail: the interrupted run is recorded failed (interrupted), the queue goes on, a rewind retries it",
          .timeLimit(.minutes(3)))
    func fail() async throws {
        let db = try TemporaryDatabase()
        let armed = try await Self.interrupt(db.path)
        let store = try await SQLiteStore.open(path: db.path)
        let recovery = try #require(try await store.recover(instance: "hitl")).recovery
        let workflow = try CrashWorkflows.interrupted(blocking: false)
        let instance = try WorkflowInstance(recovering: recovery, workflow: workflow, configuration: .init(store: store, onBusy: .queue))
        let outcome = try await instance.resumeRecovered(.fail)
        #expect(outcome.resumed == nil)
        #expect(outcome.failedRuns == [armed.run])
        #expect(outcome.startedQueuedRun == armed.queued[0])
        // Its idempotency key still names it, and a handle from that key answers with how it ended.
        let again = try await instance.start("first", idempotencyKey: "first-key")
        #expect(again.runID == armed.run)
        #expect(again.disposition == .existing)
        let ended = try await again.result()
        #expect(ended.status == .failed)
        #expect(ended.error?.code == .interrupted)
        _ = try await instance.result(of: armed.queued[1])
        let failed = try #require(try await store.runs(instance: "hitl").first { $0.id == armed.run })
        #expect(failed.status == "failed")
        #expect(failed.error?["code"] == "interrupted")
        // The interrupted run's head is still there to retry from.
        let head = try #require(recovery.head)
        let retried = try #require(try await instance.rewind(to: head.id))
        let result = try await retried.result()
        // The retry runs the interrupted superstep again as a new run: its question is asked
        // again (a new run, a new request), and the answer accepted before the crash is delivered.
        #expect(result.outputs.count == 1)
        #expect(result.outputs.first?[0]?["requestId"] == .string(armed.request))
        await instance.shutdown()
    }

    @Test("a response promised to a continuation that never started is delivered once after SIGKILL, by a run with the promised id",
          .timeLimit(.minutes(3)))
    func promisedResponse() async throws {
        let db = try TemporaryDatabase()
        let crasher = try ChildProcess.start(try CrashTests.crasherPath(), [db.path, "--promised"])
        var output = ""
        for await line in crasher.lines {
            output = line
            break
        }
        #expect(await crasher.kill() == -SIGKILL)
        let words = output.split(separator: " ").map(String.init)
        try #require(words.count == 3 && words[0] == "armed", "the crasher did not arm: \(output) \(crasher.stderrTail)")
        let (request, promised) = (words[1], words[2])
        let store = try await SQLiteStore.open(path: db.path)
        let recovery = try #require(try await store.recover(instance: "pp")).recovery
        // The store has the answer and the run it was promised to, which it never saw start.
        #expect(recovery.undeliveredResponses.map(\.requestID) == [request])
        #expect(recovery.undeliveredResponses.first?.promisedRunID == promised)
        #expect(recovery.interruptedRuns.isEmpty)
        #expect(recovery.status == .cancelled)
        #expect(try await store.instancesNeedingRecovery() == ["pp"])
        let instance = try WorkflowInstance(recovering: recovery, workflow: try CrashWorkflows.pingpong(), configuration: .init(store: store))
        let outcome = try await instance.resumeRecovered(.resume)
        let delivering = try #require(outcome.resumed)
        #expect(delivering.runID == promised, "whoever was told the run's id can wait for it")
        let result = try await within(.seconds(10), "the delivering run") { try await delivering.result() }
        #expect(result.status == .idleWithPendingRequests)
        #expect(await instance.sharedState["answers"] == [1])
        // Delivered once: one invocation with the answer in the whole log, and nothing left to recover.
        let log = try await store.events(instance: "pp", afterSeq: 0, limit: 10_000)
        let deliveries = log.filter { if case .executorInvoked(_, _, _, request?) = $0.body { true } else { false } }
        #expect(deliveries.count == 1)
        #expect(try await store.instancesNeedingRecovery().isEmpty)
        await instance.shutdown()
    }

    @Test("an instance rebuilt from a store whose head was written by another definition is refused, naming both")
    func incompatibleHead() async throws {
        let db = try TemporaryDatabase()
        _ = try await Self.interrupt(db.path)
        let store = try await SQLiteStore.open(path: db.path)
        let recovery = try #require(try await store.recover(instance: "hitl")).recovery
        var other = WorkflowBuilder(name: "interrupted", start: "start")
        other.addExecutor("start", kind: "different") { FunctionExecutor { _, _ in } }
        #expect {
            try WorkflowInstance(recovering: recovery, workflow: try other.build(), configuration: .init(store: store))
        } throws: { error in
            workflowError(error)?.code == .checkpointIncompatible
        }
    }
}

private func isEnd(_ event: WorkflowEvent) -> Bool {
    if case .status(let status) = event.body { return status != .inProgress }
    return false
}

import DaemonTestSupport
import Foundation
import Testing
import WorkflowJSON
import WorkflowProtocol
import WorkflowTestSupport

/// `kill -9` the real daemon at several points, start it again on the same state, and check that
/// everything it had acknowledged is back (docs/semantics.md §5).
@Suite("Daemon: recovery after kill -9")
struct DaemonRecoveryTests {
    @Test("mid-superstep: the run resumes from its last checkpoint with run_recovered; events seen before are in the log; seqs are not reused")
    func midSuperstep() async throws {
        let daemon = try await DaemonProcess.started()
        var client = try await daemon.client()
        _ = try await client.result("instance.create", ["name": "s", "definition": "gated"])
        _ = try await client.result("events.subscribe", ["instance": "s", "afterSeq": 0])
        let run = try await client.result("run.start", ["instance": "s", "input": .string(daemon.gate("s"))])
        let seen = try await client.events(until: { $0["type"] == "executor_invoked" })
        await daemon.kill9()
        try await daemon.start()
        client = try await daemon.client()
        try daemon.open(daemon.gate("s"))
        let result = try await client.result("run.wait", ["instance": "s", "runId": try #require(run["runId"])])
        #expect(result["status"] == "idle")
        #expect(result["outputs"] == ["opened"])
        let log = try #require(try await client.result("events.read", ["instance": "s", "limit": 10000])["events"]?.arrayValue)
        for event in seen { #expect(log.contains(event), "an event a client saw before the crash is in the log after it: \(event)") }
        #expect(log.contains { $0["type"] == "run_recovered" })
        let seqs = log.compactMap { $0["seq"]?.intValue }
        #expect(seqs == Array(1...seqs.count))
    }

    @Test("with --recover fail, an interrupted run is marked failed instead")
    func recoverFail() async throws {
        let daemon = try await DaemonProcess.started()
        var client = try await daemon.client()
        let run = try await client.result("run.start", ["instance": "f", "definition": "forever", "idempotencyKey": "once"])
        _ = try await client.result("run.wait", ["instance": "f", "timeoutMs": 300])
        await daemon.kill9()
        try await daemon.start(extra: ["--recover", "fail"])
        client = try await daemon.client()
        let result = try await client.result("run.get", ["instance": "f", "runId": try #require(run["runId"])])
        #expect(result["status"] == "failed")
        #expect(try await client.result("instance.get", ["instance": "f"])["activeRunId"] == nil)
        // Its key still names it: the same run, as it ended, even to a caller that waits.
        let again = try await client.result("run.start", ["instance": "f", "idempotencyKey": "once", "wait": true])
        #expect(again["disposition"] == "existing")
        #expect(again["runId"] == run["runId"])
        #expect(again["status"] == "failed")
    }

    @Test("with a request open, an accepted response not yet delivered, a queued run, an idempotency key: all back after kill -9")
    func acceptedWorkIsBack() async throws {
        let daemon = try await DaemonProcess.started()
        var client = try await daemon.client()
        // A request left open.
        _ = try await client.result("run.start", ["instance": "open", "definition": "ask", "input": 1, "wait": true, "idempotencyKey": "key-1"])
        let openRequest = try #require(try await client.result("request.list", ["instance": "open"])["requests"]?[0]?["id"])
        // A response accepted while the other branch sleeps (delivered only at the next boundary).
        _ = try await client.result("instance.create", ["name": "b", "definition": "branch"])
        _ = try await client.result("events.subscribe", ["instance": "b", "afterSeq": 0])
        let branchRun = try await client.result("run.start", ["instance": "b", "input": .string(daemon.gate("b"))])
        let request = try #require(try await client.events(until: { $0["type"] == "request" }).last?["request"]?["id"])
        _ = try await client.result("request.respond", ["instance": "b", "requestId": request, "response": ["ok": true]])
        // A queued run behind an active one.
        _ = try await client.result("instance.create", ["name": "q", "definition": "gated", "onBusy": "queue"])
        _ = try await client.result("run.start", ["instance": "q", "input": .string(daemon.gate("a"))])
        let queued = try await client.result("run.start", ["instance": "q", "input": .string(daemon.gate("b"))])
        #expect(queued["status"] == "queued")
        await daemon.kill9()
        for gate in ["a", "b"] { try daemon.open(daemon.gate(gate)) }

        try await daemon.start()
        client = try await daemon.client()
        let stillOpen = try await client.result("request.list", ["instance": "open"])
        #expect(stillOpen["requests"]?[0]?["id"] == openRequest)
        let keyed = try await client.result("run.start", ["instance": "open", "input": 2, "idempotencyKey": "key-1"])
        #expect(keyed["disposition"] == "existing")
        let branch = try await client.result("run.wait", ["instance": "b", "runId": try #require(branchRun["runId"])])
        #expect(branch["status"] == "idle")
        #expect(branch["outputs"]?.arrayValue?.contains { $0["response"] == ["ok": true] } == true, "the accepted response was delivered: \(branch)")
        let second = try await client.result("run.wait", ["instance": "q", "runId": try #require(queued["runId"])])
        #expect(second["status"] == "idle")
        #expect(second["input"] == .string(daemon.gate("b")))
        let answered = try await client.result("request.respond", ["instance": "open", "requestId": openRequest, "response": ["ok": true]])
        #expect(try await client.result("run.wait", ["instance": "open", "runId": try #require(answered["runId"])])["status"] == "idle")
    }

    @Test("a graceful stop (SIGTERM) suspends an active run, which resumes on the next start with run_recovered; exit status 0")
    func gracefulStop() async throws {
        let daemon = try await DaemonProcess.started()
        var client = try await daemon.client()
        let gate = daemon.gate("s")
        let run = try await client.result("run.start", ["instance": "s", "definition": "gated", "input": .string(gate)])
        let runID = try #require(run["runId"])
        // The run is surely active when the stop comes: its program waits on a gate nobody opened.
        let before = try await client.result("instance.get", ["instance": "s"])
        #expect(before["status"] == "in_progress")
        #expect(before["activeRunId"] == runID)
        #expect(await daemon.stop() == 0)
        try daemon.open(gate)
        try await daemon.start()
        client = try await daemon.client()
        let result = try await client.result("run.wait", ["instance": "s", "runId": runID])
        #expect(result["status"] == "idle")
        #expect(result["outputs"] == ["opened"])
        let log = try #require(try await client.result("events.read", ["instance": "s", "limit": 1000])["events"]?.arrayValue)
        #expect(log.contains { $0["type"] == "run_recovered" && $0["runId"] == runID })
        #expect(!log.contains { $0["type"] == "run_failed" })
    }

    @Test("a stop ends a step that ignores SIGTERM itself, at its deadline (stop grace + 5 s): the run is suspended, not failed, and resumes on the next start")
    func stopKillsAStubbornStep() async throws {
        let daemon = try await DaemonProcess.started(arguments: ["--stop-grace", "1s"])
        var client = try await daemon.client()
        let gate = daemon.gate("stubborn")
        let run = try await client.result("run.start", ["instance": "st", "definition": "stubborn", "input": .string(gate)])
        try await eventually(.seconds(30), "the step to start") { FileManager.default.fileExists(atPath: gate + ".pid") }
        let step = try #require(Int32(try String(contentsOfFile: gate + ".pid", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        let stopping = ContinuousClock.now
        #expect(await daemon.stop() == 0)
        let took = ContinuousClock.now - stopping
        // 1 s of grace, 5 s for the SIGTERM it ignores, then the kill: far less than the step's own
        // minute of grace (and than a unit's TimeoutStopSec).
        #expect(took < TestEnvironment.scaled(.seconds(20)), "the stop took \(took)")
        #expect(kill(step, 0) == -1 && errno == ESRCH, "the step's program \(step) outlived the daemon")
        #expect(daemon.log.contains("killed the programs of steps that did not end on SIGTERM"))
        // The kill ends the step; the daemon waits for the run to record its suspension.
        #expect(daemon.log.contains("suspended a run"), "\(daemon.log)")
        // The run was suspended at its last checkpoint, not failed: it resumes, and runs the step again.
        try daemon.open(gate + ".done")
        try await daemon.start()
        client = try await daemon.client()
        let result = try await client.result("run.wait", ["instance": "st", "runId": try #require(run["runId"])])
        #expect(result["status"] == "idle")
        #expect(result["outputs"] == ["finished"])
        let log = try #require(try await client.result("events.read", ["instance": "st", "limit": 1000])["events"]?.arrayValue)
        #expect(log.contains { $0["type"] == "run_recovered" })
        #expect(!log.contains { $0["type"] == "run_failed" })
    }
}

import DaemonTestSupport
import Foundation
import Testing
import WorkflowJSON
import WorkflowProtocol
import WorkflowTestSupport

/// `instance.pause` and `instance.resume` over the socket: a run held at its boundary, what is
/// accepted meanwhile, what is held (starts, timers), and a pause that survives kill -9.
@Suite("Daemon: pause and resume")
struct PauseDaemonTests {
    @Test("pause holds a running run at its next boundary (the superstep in flight finishes); while paused run.start is refused and a signal is kept; resume goes on: the run ends, the signal is delivered")
    func pauseHoldsARun() async throws {
        let daemon = try await DaemonProcess.started()
        let client = try await daemon.client()
        let (runId, paused) = try await Self.pauseGatedRun(on: daemon, client, reason: "maintenance window")
        let gate = daemon.gate("p")
        #expect(paused["paused"]?["reason"] == "maintenance window")
        #expect(paused["activeRunId"] == nil, "the run stopped at its boundary")
        #expect(try await client.result("run.get", ["instance": "g", "runId": runId])["status"] == "in_progress", "stopped, not ended")
        let refused = try await client.error("run.start", ["instance": "g", "input": .string(gate)])
        #expect(refused.code == .instanceBusy)
        #expect(refused.message.contains("paused"))
        let listed = try await client.result("instance.list")["instances"]?.arrayValue ?? []
        #expect(listed.first { $0["name"] == "g" }?["paused"]?["reason"] == "maintenance window")
        #expect(try await client.result("daemon.status")["instancesPaused"] == 1)
        let refusedReset = try await client.error("instance.reset", ["instance": "g"])
        #expect(refusedReset.message.contains("paused"))

        _ = try await client.result("run.start", ["instance": "s", "definition": "signalled", "input": 1, "wait": true])
        _ = try await client.result("instance.pause", ["instance": "s"])
        let kept = try await client.result("instance.signal", ["instance": "s", "name": "go", "payload": "while paused"])
        #expect(kept["delivered"] == true && kept["startedRun"] == true, "accepted, for a run that starts on resume: \(kept)")
        // Held: a continuation would have started within the signal call itself.
        #expect(try await client.result("run.get", ["instance": "s", "runId": try #require(kept["runId"])])["status"] != "idle",
                "nothing runs while paused")
        #expect(try await client.result("instance.get", ["instance": "s"])["activeRunId"] == nil)

        let resumed = try await client.result("instance.resume", ["instance": "g"])
        #expect(resumed["paused"] == nil)
        let ended = try await client.result("run.wait", ["instance": "g", "runId": runId])
        #expect(ended["status"] == "idle")
        #expect(ended["outputs"]?.arrayValue?.isEmpty == false)
        _ = try await client.result("instance.resume", ["instance": "s"])
        let woke = try await client.result("run.wait", ["instance": "s", "runId": try #require(kept["runId"])])
        #expect(woke["status"] == "idle")
        #expect(woke["outputs"]?[0]?["signal"]?["payload"] == "while paused")
        #expect(try await client.result("daemon.status")["instancesPaused"] == 0)
    }

    @Test("run.wait on a paused instance waits for the run the pause stopped, with or without its id: bounded, it times out in progress; begun before the resume, it returns the run's end (it returned the stored in-progress run at once)")
    func waitSpansThePause() async throws {
        let daemon = try await DaemonProcess.started()
        let client = try await daemon.client()
        let (runId, _) = try await Self.pauseGatedRun(on: daemon, client)
        let bounded = try await client.result("run.wait", ["instance": "g", "timeoutMs": 300])
        #expect(bounded["runId"] == runId)
        #expect(bounded["timedOut"] == true, "\(bounded)")
        #expect(bounded["status"] == "in_progress")
        let boundedByID = try await client.result("run.wait", ["instance": "g", "runId": runId, "timeoutMs": 300])
        #expect(boundedByID["timedOut"] == true, "\(boundedByID)")
        let waiting = Task { try await daemon.client().result("run.wait", ["instance": "g"]) }
        let waitingByID = Task { try await daemon.client().result("run.wait", ["instance": "g", "runId": runId]) }
        // Time for both waits to reach the daemon before the resume. One that arrived after it
        // would pass as well (the run has ended by then): this can weaken the test, not fail it.
        try await Task.sleep(for: .milliseconds(300))
        _ = try await client.result("instance.resume", ["instance": "g"])
        let ended = try await waiting.value
        #expect(ended["runId"] == runId)
        #expect(ended["status"] == "idle", "\(ended)")
        #expect(ended["outputs"]?.arrayValue?.isEmpty == false)
        #expect(try await waitingByID.value["status"] == "idle")
    }

    /// Starts a run of `gated` on instance `g` and pauses `g` while its program runs: the pause
    /// answers once the superstep in flight has finished, and it is recorded before the run is
    /// asked to stop, so the gate is opened only then. The run's id and the pause's answer.
    private static func pauseGatedRun(on daemon: DaemonProcess, _ client: TestClient, reason: String? = nil) async throws -> (runId: JSON, paused: JSON) {
        let gate = daemon.gate("pause-g")
        let started = try await client.result("run.start", ["instance": "g", "definition": "gated", "input": .string(gate)])
        let runId = try #require(started["runId"])
        var params: JSONObject = ["instance": "g"]
        if let reason { params["reason"] = .string(reason) }
        let pausing = Task { [params] in try await daemon.client().result("instance.pause", .object(params)) }
        let deadline = Date().addingTimeInterval(60)
        while try await client.result("daemon.status")["instancesPaused"] != 1 && Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        try daemon.open(gate)
        return (runId, try await pausing.value)
    }

    @Test("a paused instance's wait does not fire when due, across a kill -9 too; resume fires it")
    func pauseHoldsTimersAcrossKill() async throws {
        let daemon = try await DaemonProcess.started()
        var client = try await daemon.client()
        // An hour's wait, moved an hour back while the daemon is down: due at once, whatever
        // time a sanitizer takes (as in the timer tests).
        // `u`, not paused, is the witness: once the timer service has fired its wait, the pass that
        // would have fired r's has happened.
        for name in ["r", "u"] {
            let first = try await client.result("run.start", ["instance": .string(name), "definition": "later", "input": 1, "wait": true])
            #expect(first["status"] == "waiting")
        }
        _ = try await client.result("instance.pause", ["instance": "r", "reason": "hold on"])
        await daemon.kill9()
        let moved = try await daemon.updateStoredState(StoredTimes.waitDueAnHourAgo(instances: ["r", "u"]), postgres: StoredTimes.waitDueAnHourAgoPostgres(instances: ["r", "u"]))
        #expect(moved == 4)  // each instance's checkpoint and row
        try await daemon.start()
        client = try await daemon.client()
        _ = try await client.result("events.subscribe", ["instance": "u", "afterSeq": 0])
        _ = try await client.events(until: { $0["type"] == "timer_fired" }, timeout: .seconds(120))
        let info = try await client.result("instance.get", ["instance": "r"])
        #expect(info["paused"]?["reason"] == "hold on")
        #expect(info["waits"]?.arrayValue?.count == 1, "still armed: a paused instance's wait does not fire")
        _ = try await client.result("instance.resume", ["instance": "r"])
        _ = try await client.result("events.subscribe", ["instance": "r", "afterSeq": .number(Double(info["nextSeq"]?.intValue ?? 1) - 1)])
        let events = try await client.events(until: { $0["instance"] == "r" && $0["type"] == "status" && $0["status"] == "idle" },
                                             timeout: .seconds(120))
        let fired = events.filter { $0["instance"] == "r" && $0["type"] == "timer_fired" }
        #expect(fired.count == 1)
        #expect((fired.first?["lateByMs"]?.intValue ?? 0) >= 3_000_000, "it fired late, after the resume")
    }

    @Test("a signal accepted while paused survives kill -9: after the restart, resume starts the continuation it was promised (same run id), which delivers it")
    func keptSignalSurvivesKill() async throws {
        let daemon = try await DaemonProcess.started()
        var client = try await daemon.client()
        _ = try await client.result("run.start", ["instance": "s", "definition": "signalled", "input": 1, "wait": true])
        _ = try await client.result("instance.pause", ["instance": "s"])
        let kept = try await client.result("instance.signal", ["instance": "s", "name": "go", "payload": 42])
        let runId = try #require(kept["runId"])
        await daemon.kill9()
        try await daemon.start()
        client = try await daemon.client()
        #expect(try await client.result("instance.get", ["instance": "s"])["paused"] != nil)
        _ = try await client.result("instance.resume", ["instance": "s"])
        let woke = try await client.result("run.wait", ["instance": "s", "runId": runId])
        #expect(woke["status"] == "idle")
        #expect(woke["outputs"]?[0]?["signal"]?["payload"] == 42)
    }
}

import DaemonTestSupport
import Foundation
import Testing
import WorkflowJSON
import WorkflowProtocol
import WorkflowTestSupport

/// Waits over the socket, with real (short) durations: the daemon's timer service fires them,
/// signals wake them, and a kill -9 loses none and fires none twice.
@Suite("Daemon: waits, timers and signals")
struct WaitDaemonTests {
    @Test("a wait for 2 s ends its run waiting; about 2 s later the daemon fires it once: timer_fired, a run with trigger timer, the wake as output")
    func timerFires() async throws {
        let daemon = try await DaemonProcess.started()
        let client = try await daemon.client()
        _ = try await client.result("instance.create", ["name": "r", "definition": "remind"])
        _ = try await client.result("events.subscribe", ["instance": "r", "afterSeq": 0])
        let started = Date()
        let first = try await client.result("run.start", ["instance": "r", "input": ["n": 1], "wait": true])
        #expect(first["status"] == "waiting")
        let events = try await client.events(until: { $0["type"] == "status" && $0["status"] == "idle" }, timeout: .seconds(60))
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed >= 1.9, "it fired after \(elapsed) s, before its time")
        let fired = events.filter { $0["type"] == "timer_fired" }
        #expect(fired.count == 1)
        #expect((fired.first?["lateByMs"]?.intValue ?? -1) >= 0)
        #expect(events.contains { $0["type"] == "run_started" && $0["trigger"] == "timer" })
        let output = try #require(events.last { $0["type"] == "output" })
        #expect(output["value"]?["reason"] == "for")
        #expect(output["value"]?["input"] == ["n": 1])
        let after = try await client.result("instance.get", ["instance": "r"])
        #expect(after["status"] == "idle")
        #expect(after["waits"] == nil)
    }

    @Test("instance.get lists an armed wait with its time and its signal, and the instance as waiting")
    func armedWaitShows() async throws {
        let daemon = try await DaemonProcess.started()
        let client = try await daemon.client()
        let first = try await client.result("run.start", ["instance": "l", "definition": "later", "input": 1, "wait": true])
        #expect(first["status"] == "waiting")
        let info = try await client.result("instance.get", ["instance": "l"])
        #expect(info["status"] == "waiting")
        #expect(info["waits"]?.arrayValue?.count == 1)
        #expect(info["waits"]?[0]?["signal"] == "go")
        let due = try Timestamp.parse(try #require(info["waits"]?[0]?["due"]?.stringValue))
        #expect(due > Date().timeIntervalSince1970 + 3_000, "an hour ahead")
    }

    @Test("instance.signal: wakes the armed wait (a continuation run); before any wait it is kept, shown by instance.get, and taken at once by the next wait")
    func signals() async throws {
        let daemon = try await DaemonProcess.started()
        let client = try await daemon.client()
        _ = try await client.result("run.start", ["instance": "s", "definition": "signalled", "input": 1, "wait": true])
        let woke = try await client.result("instance.signal", ["instance": "s", "name": "go", "payload": ["by": "ana"]])
        #expect(woke["delivered"] == true)
        #expect(woke["startedRun"] == true)
        let result = try await client.result("run.wait", ["instance": "s", "runId": try #require(woke["runId"])])
        #expect(result["status"] == "idle")
        #expect(result["outputs"]?[0]?["signal"] == ["name": "go", "payload": ["by": "ana"]])

        let kept = try await client.result("instance.signal", ["instance": "s", "name": "go", "payload": 2])
        #expect(kept["delivered"] == false)
        #expect(kept["runId"] == nil)
        #expect(try await client.result("instance.get", ["instance": "s"])["keptSignals"] == ["go"])
        let taken = try await client.result("run.start", ["instance": "s", "input": 3, "wait": true])
        #expect(taken["status"] == "idle", "the kept signal woke the wait at once")
        #expect(taken["outputs"]?[0]?["signal"]?["payload"] == 2)

        // Kept signals are bounded (100 an instance): the next is refused with -32013 naming the
        // bound, and none of those kept is lost.
        _ = try await client.result("instance.create", ["name": "full", "definition": "signalled"])
        for n in 0..<100 { _ = try await client.result("instance.signal", ["instance": "full", "name": .string("s\(n)")]) }
        let full = try await client.error("instance.signal", ["instance": "full", "name": "one-more"])
        #expect(full.code == .limitExceeded)
        #expect(full.data?["limit"] == "signalLimit")
        #expect(try await client.result("instance.get", ["instance": "full"])["keptSignals"]?.arrayValue?.count == 100)

        let missing = try await client.error("instance.signal", ["instance": "nobody", "name": "go"])
        #expect(missing.code == .instanceNotFound)
        let unnamed = try await client.error("instance.signal", ["instance": "s", "name": ""])
        #expect(unnamed.code == .invalidParams)
    }

    @Test("a request with a 1 s timeout: its request event says when it expires; the daemon closes it (request_timed_out) and answers for the person; a late answer gets -32007 saying when")
    func requestTimesOut() async throws {
        let daemon = try await DaemonProcess.started()
        let client = try await daemon.client()
        _ = try await client.result("instance.create", ["name": "q", "definition": "impatient"])
        _ = try await client.result("events.subscribe", ["instance": "q", "afterSeq": 0])
        let first = try await client.result("run.start", ["instance": "q", "input": 1, "wait": true])
        #expect(first["status"] == "idle_with_pending_requests")
        // (request.list would say the same while it is open; the event log says it however late this test reads.)
        let events = try await client.events(until: { $0["type"] == "status" && $0["status"] == "idle" }, timeout: .seconds(60))
        let request = try #require(events.first { $0["type"] == "request" }?["request"])
        let id = try #require(request["id"]?.stringValue)
        #expect(request["expiresAt"]?.stringValue != nil)
        let timedOut = try #require(events.first { $0["type"] == "request_timed_out" })
        #expect(timedOut["requestId"]?.stringValue == id)
        #expect(timedOut["expiredAt"] == request["expiresAt"])
        let output = try #require(events.last { $0["type"] == "output" })
        #expect(output["value"]?["response"] == ["ok": false])
        #expect(output["value"]?["timedOut"] == true)
        let late = try await client.error("request.respond", ["instance": "q", "requestId": .string(id), "response": ["ok": true]])
        #expect(late.code == .requestNotFound)
        #expect(late.message.contains("timed out at"), "\(late.message)")
        #expect(late.data?["timedOutAt"] == request["expiresAt"])
    }

    @Test("kill -9 with a timer armed: a wait that came due while the daemon was down fires once at start (late), and the run it starts finishes")
    func timerSurvivesKill() async throws {
        let daemon = try await DaemonProcess.started()
        var client = try await daemon.client()
        let first = try await client.result("run.start", ["instance": "k", "definition": "later", "input": "x", "wait": true])
        #expect(first["status"] == "waiting")
        await daemon.kill9()
        // The daemon stays down past the wait's time: rather than wait an hour (or bet on how
        // fast a sanitizer runs), the stored wait is moved an hour back while it is down: in the
        // head checkpoint, and in the instance's index of its soonest wait.
        let moved = try await daemon.updateStoredState(StoredTimes.waitDueAnHourAgo(instances: ["k"]), postgres: StoredTimes.waitDueAnHourAgoPostgres(instances: ["k"]))
        #expect(moved == 2)  // the checkpoint and the instance
        try await daemon.start()
        client = try await daemon.client()
        _ = try await client.result("events.subscribe", ["instance": "k", "afterSeq": 0])
        let events = try await client.events(until: { $0["type"] == "status" && $0["status"] == "idle" }, timeout: .seconds(60))
        let fired = events.filter { $0["type"] == "timer_fired" }
        #expect(fired.count == 1)
        #expect((fired.first?["lateByMs"]?.intValue ?? 0) >= 3_000_000, "it was due an hour before the restart")
        // Nothing fires twice: a second restart finds no wait armed.
        _ = await daemon.stop()
        try await daemon.start()
        client = try await daemon.client()
        let info = try await client.result("instance.get", ["instance": "k"])
        #expect(info["waits"] == nil)
        #expect(info["status"] == "idle")
        let log = try #require(try await client.result("events.read", ["instance": "k", "limit": 10_000])["events"]?.arrayValue)
        #expect(log.filter { $0["type"] == "timer_fired" }.count == 1)
    }

    @Test("dead letters: run.list {status: failed} lists the failed runs of every instance, newest first; run.retry takes one up from its last checkpoint and it finishes; wfctl runs --failed and retry do the same")
    func deadLetters() async throws {
        let daemon = try await DaemonProcess.started()
        let client = try await daemon.client()
        let path = daemon.directory + "/flaky-ok"
        for name in ["a", "b"] {
            let run = try await client.result("run.start", ["instance": .string(name), "definition": "flaky", "input": .string(path), "wait": true])
            #expect(run["status"] == "failed")
        }
        _ = try await client.result("run.start", ["instance": "fine", "definition": "echo", "input": 1, "wait": true])
        let failed = try #require(try await client.result("run.list", ["status": "failed"])["runs"]?.arrayValue)
        #expect(failed.compactMap { $0["instance"]?.stringValue } == ["b", "a"])
        #expect(failed.allSatisfy { $0["error"]?["message"]?.stringValue?.contains("exit") == true })
        let nothing = try await client.error("run.retry", ["instance": "fine"])
        #expect(nothing.code == .runNotFound)
        let noFilter = try await client.error("run.list", [:])
        #expect(noFilter.code == .invalidParams)

        _ = FileManager.default.createFile(atPath: path, contents: Data())
        let retried = try await client.result("run.retry", ["instance": "a", "wait": true])
        #expect(retried["status"] == "idle")
        #expect(retried["trigger"] == "retry")
        #expect(retried["outputs"] == ["done"])
        let runs = try #require(try await client.result("run.list", ["instance": "a"])["runs"]?.arrayValue)
        #expect(runs.map { $0["status"] } == ["idle", "failed"], "the failed run stays failed in the history")

        let wfctl = Wfctl(socket: daemon.socket)
        let list = try await wfctl.run(["runs", "--failed"])
        #expect(list.status == 0 && list.stdout.contains("b") && list.stdout.contains("exit"), "\(list)")
        let retry = try await wfctl.run(["retry", "b", "--wait"])
        #expect(retry.status == 0, "\(retry)")
        #expect(try await wfctl.run(["runs", "--failed", "--json"]).json()["runs"]?.arrayValue?.count == 2,
                "both failed runs stay in the history")
    }
}

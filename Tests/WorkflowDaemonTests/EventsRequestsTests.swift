import DaemonTestSupport
import Foundation
import Testing
import WorkflowClient
import WorkflowJSON
import WorkflowProtocol

/// Events (live, replayed, resumed, overflowed) and requests (listed with their schema, answered
/// while a run goes on, gone after a reset) over the socket.
@Suite("Daemon: events and requests")
struct EventsRequestsTests {
    static func isEnd(_ event: JSON) -> Bool {
        event["type"] == "status" && ["idle", "idle_with_pending_requests", "failed", "cancelled"].contains(event["status"]?.stringValue ?? "")
    }

    @Test("a subscription replays the log after afterSeq then goes on live: every event once, in seq order, no gap at the hand-over")
    func replayThenLive() async throws {
        let daemon = try await DaemonProcess.started()
        let client = try await daemon.client()
        _ = try await client.result("run.start", ["instance": "c", "definition": "count", "input": ["n": 0, "to": 20], "wait": true])
        let logged = try await client.result("events.read", ["instance": "c"])
        let firstCount = try #require(logged["events"]?.arrayValue?.count)
        #expect(firstCount > 20)
        // Subscribe from the middle of the log while a second run writes more.
        let watcher = try await daemon.client()
        let subscribed = try await watcher.result("events.subscribe", ["instance": "c", "afterSeq": 5])
        #expect(subscribed["missed"] == nil)
        _ = try await client.result("run.start", ["instance": "c", "input": ["n": 0, "to": 20]])
        var seen = try await watcher.events(until: { Self.isEnd($0) && ($0["seq"]?.intValue ?? 0) > firstCount })
        let seqs = seen.compactMap { $0["seq"]?.intValue }
        #expect(seqs == Array(6...(5 + seqs.count)), "in order, no gap, no duplicate")
        #expect(seen.allSatisfy { $0["instance"] == "c" })

        // Drop the connection, reconnect with afterSeq: the rest, once.
        let last = try #require(seqs.last)
        await watcher.close()
        _ = try await client.result("run.start", ["instance": "c", "input": ["n": 0, "to": 5], "wait": true])
        let again = try await daemon.client()
        _ = try await again.result("events.subscribe", ["instance": "c", "afterSeq": .number(Double(last))])
        seen = try await again.events(until: { Self.isEnd($0) })
        #expect(seen.first?["seq"]?.intValue == last + 1)
        let page = try await client.result("events.read", ["instance": "c", "afterSeq": .number(Double(last)), "limit": 3])
        #expect(page["events"]?.arrayValue?.compactMap { $0["seq"]?.intValue } == [last + 1, last + 2, last + 3])
        #expect(page["lastSeq"]?.intValue == last + 3)
        #expect(try await again.result("events.unsubscribe", ["subscription": try #require(try await again.result("events.subscribe", ["instance": "c"])["subscription"])])["unsubscribed"] == true)
        #expect(try await again.result("events.unsubscribe", ["subscription": "nope"])["unsubscribed"] == false)
    }

    @Test("a subscriber whose afterSeq is older than the oldest kept event is told which it missed, never a silent gap")
    func missedEvents() async throws {
        let daemon = try await DaemonProcess.started(arguments: ["--event-retention", "20"])
        let client = try await daemon.client()
        _ = try await client.result("run.start", ["instance": "c", "definition": "count", "input": ["n": 0, "to": 30], "wait": true])
        let page = try await client.result("events.read", ["instance": "c", "afterSeq": 0])
        let oldest = try #require(page["oldestSeq"]?.intValue)
        #expect(oldest > 1)
        #expect(page["events"]?[0]?["seq"]?.intValue == oldest)
        let subscribed = try await client.result("events.subscribe", ["instance": "c", "afterSeq": 2])
        #expect(subscribed["missed"] == ["first": 3, "last": .number(Double(oldest - 1))])
        let replayed = try await client.events(until: { ($0["seq"]?.intValue ?? 0) >= (subscribed["nextSeq"]?.intValue ?? 0) - 1 })
        #expect(replayed.first?["seq"]?.intValue == oldest)
    }

    @Test("request.list gives payload and schema; a response that fails its schema is refused; an answer while idle continues the run")
    func requests() async throws {
        let daemon = try await DaemonProcess.started()
        let client = try await daemon.client()
        let run = try await client.result("run.start", ["instance": "a", "definition": "ask", "input": "hi", "wait": true])
        #expect(run["status"] == "idle_with_pending_requests")
        let listed = try await client.result("request.list", ["instance": "a"])
        let request = try #require(listed["requests"]?[0])
        #expect(request["schema"]?["required"] == ["ok"])
        #expect(request["instance"] == "a")
        let all = try await client.result("request.list")
        #expect(all["requests"]?.arrayValue?.count == 1)
        let requestID = try #require(request["id"])
        let invalid = try await client.error("request.respond", ["instance": "a", "requestId": requestID, "response": ["ok": "yes"]])
        #expect(invalid.code == .responseInvalid)
        #expect(invalid.data?.serialized().contains("ok") == true, "names the schema path: \(invalid)")
        #expect(try await client.error("request.respond", ["instance": "a", "requestId": "nope", "response": ["ok": true]]).code == .requestNotFound)
        let answered = try await client.result("request.respond", ["instance": "a", "requestId": requestID, "response": ["ok": true]])
        #expect(answered["startedRun"] == true)
        let result = try await client.result("run.wait", ["instance": "a", "runId": try #require(answered["runId"])])
        #expect(result["status"] == "idle")
        #expect(result["outputs"]?[0]?["response"] == ["ok": true])
        #expect(try await client.error("request.respond", ["instance": "a", "requestId": requestID, "response": ["ok": true]]).code == .requestNotFound)
    }

    @Test("a response is accepted while the run is still executing another branch, and delivered at its next boundary")
    func respondWhileRunning() async throws {
        let daemon = try await DaemonProcess.started()
        let client = try await daemon.client()
        _ = try await client.result("instance.create", ["name": "b", "definition": "branch"])
        _ = try await client.result("events.subscribe", ["instance": "b", "afterSeq": 0])
        let run = try await client.result("run.start", ["instance": "b", "input": .string(daemon.gate("b"))])
        let events = try await client.events(until: { $0["type"] == "request" })
        let request = try #require(events.last?["request"]?["id"] ?? events.last?["requestId"])
        let answered = try await client.result("request.respond", ["instance": "b", "requestId": request, "response": ["ok": true]])
        #expect(answered["startedRun"] == false)
        #expect(answered["runId"] == run["runId"])
        // Accepted while the other branch still waits on its gate: the run is still going.
        #expect(try await client.result("run.get", ["instance": "b", "runId": try #require(run["runId"])])["status"] == "in_progress")
        try daemon.open(daemon.gate("b"))
        let result = try await client.result("run.wait", ["instance": "b"])
        #expect(result["status"] == "idle")
        #expect(result["outputs"]?.arrayValue?.count == 2)
    }

    @Test("instance.reset with open requests: they are gone (answering one gives -32007); cancel resets a running instance")
    func resetWithOpenRequests() async throws {
        let daemon = try await DaemonProcess.started()
        let client = try await daemon.client()
        _ = try await client.result("run.start", ["instance": "a", "definition": "ask", "input": 1, "wait": true])
        let request = try #require(try await client.result("request.list", ["instance": "a"])["requests"]?[0]?["id"])
        let reset = try await client.result("instance.reset", ["instance": "a"])
        #expect(reset["status"] == "idle")
        #expect(reset["openRequests"] == nil || reset["openRequests"] == [])
        #expect(try await client.error("request.respond", ["instance": "a", "requestId": request, "response": ["ok": true]]).code == .requestNotFound)

        _ = try await client.result("run.start", ["instance": "f", "definition": "forever"])
        #expect(try await client.error("instance.reset", ["instance": "f"]).code == .instanceBusy)
        #expect(try await client.result("instance.reset", ["instance": "f", "cancel": true])["status"] == "idle")
        // The run history records how the cancelled run ended; nothing is active or queued.
        let runs = try await client.result("run.list", ["instance": "f"])
        #expect(runs["runs"]?.arrayValue?.map { $0["status"] } == ["cancelled"])
        #expect(try await client.result("instance.get", ["instance": "f"])["activeRunId"] == nil)
    }

    @Test("a reader too slow for its send queue gets events.overflow and loses only that subscription; another client streams on")
    func slowReaderOverflows() async throws {
        let daemon = try await DaemonProcess.started(arguments: ["--max-queued-bytes", "262144"])
        let client = try await daemon.client()
        _ = try await client.result("instance.create", ["name": "c", "definition": "count"])
        // The slow reader reads nothing until the run is over.
        let slow = try await TestClient.connect(daemon.socket, autoRead: false)
        try await slow.send(raw: #"{"jsonrpc":"2.0","id":1,"method":"events.subscribe","params":{"instance":"c"}}"#)
        // The fast reader is a process of its own (so that other tests' load on this process's
        // event loops cannot make it slow): it subscribes, starts the run, reads to its end.
        let fastReader = """
            import json, socket, sys
            s = socket.socket(socket.AF_UNIX)
            s.settimeout(60)
            s.connect(sys.argv[1])
            f = s.makefile("rb")
            s.sendall(b'{"jsonrpc":"2.0","id":1,"method":"events.subscribe","params":{"instance":"c"}}\\n')
            assert "result" in json.loads(f.readline())
            s.sendall(b'{"jsonrpc":"2.0","id":2,"method":"run.start","params":{"instance":"c","input":{"n":0,"to":3000}}}\\n')
            seqs, overflowed = [], False
            for line in f:
                message = json.loads(line)
                if message.get("method") == "events.overflow":
                    overflowed = True
                    break
                event = message.get("params", {}).get("event")
                if event:
                    seqs.append(event["seq"])
                    if event["type"] == "status" and event.get("status") in ("idle", "failed", "cancelled"):
                        break
            print(json.dumps({"count": len(seqs), "first": seqs[0] if seqs else 0, "last": seqs[-1] if seqs else 0,
                              "contiguous": seqs == list(range(seqs[0], seqs[0] + len(seqs))) if seqs else False, "overflowed": overflowed}))
            """
        let fast = try await Wfctl.spawn("/usr/bin/python3", ["-c", fastReader, daemon.socket])
        let summary = try JSON(parsing: fast.stdout)
        #expect(summary["overflowed"] == false, "the fast reader streams on: \(fast)")
        #expect((summary["count"]?.intValue ?? 0) > 3000 * 3)
        #expect(summary["contiguous"] == true)
        let seqs = [summary["first"]?.intValue ?? 0, summary["last"]?.intValue ?? 0]
        // Now the slow reader reads: its subscription overflowed; the connection still works.
        slow.connection.read()
        try await slow.connection.setReadsAutomatically(true)
        let overflow = try await slow.notifications("events.overflow", count: 1)
        #expect(overflow.first?["lastSeq"]?.intValue ?? 0 < seqs.last ?? 0)
        #expect(try await slow.result("daemon.ping")["pong"] == true)
        #expect(try await client.result("daemon.status")["subscriptions"] == 0, "the overflowed subscription is gone (and the fast reader has left)")
    }

    /// Runs the count definition to 2,500 on instance `c`: a log of some 12,500 events (2.5 MB).
    static func countLog(_ client: TestClient) async throws {
        let run = try await client.result("run.start", ["instance": "c", "definition": "count", "input": ["n": 0, "to": 2500], "wait": true])
        #expect(run["status"] == "idle")
    }

    /// The start of a Python subscriber from seq 0 of instance `c` (argv[1]: the socket): `s` the
    /// socket, `f` its lines, `answer` the subscribe answer.
    static let replaySubscriber = """
            import json, socket, sys
            s = socket.socket(socket.AF_UNIX)
            s.settimeout(60)
            s.connect(sys.argv[1])
            f = s.makefile("rb")
            s.sendall(b'{"jsonrpc":"2.0","id":1,"method":"events.subscribe","params":{"instance":"c","afterSeq":0}}\\n')
            answer = json.loads(f.readline())

            """

    @Test("a replay from seq 0 of a log many times the send queue goes at its reader's pace: a slow reader gets every event, no overflow")
    func replayIsPaced() async throws {
        let daemon = try await DaemonProcess.started(arguments: ["--max-queued-bytes", "262144"])
        let client = try await daemon.client()
        try await Self.countLog(client)
        // ~10,000 events, some 2.5 MB: ten times what the connection may have queued. The reader
        // takes them a hundred lines at a time with a pause between (slower than the daemon
        // reads its log): before replays were paced, the daemon queued the log as fast as it
        // read it and dropped the subscription at 256 KiB.
        let reader = Self.replaySubscriber + """
            last = answer["result"]["nextSeq"] - 1
            seqs, overflowed = [], False
            for number, line in enumerate(f):
                if number % 100 == 99:
                    __import__("time").sleep(0.005)
                message = json.loads(line)
                if message.get("method") == "events.overflow":
                    overflowed = True
                    break
                event = message.get("params", {}).get("event")
                if event:
                    seqs.append(event["seq"])
                    if event["seq"] >= last:
                        break
            print(json.dumps({"last": last, "seqs": len(seqs), "contiguous": seqs == list(range(1, len(seqs) + 1)), "overflowed": overflowed}))
            """
        let outcome = try await Wfctl.spawn("/usr/bin/python3", ["-c", reader, daemon.socket])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let summary = try JSON(parsing: outcome.stdout)
        #expect(summary["overflowed"] == false, "\(outcome)")
        #expect((summary["last"]?.intValue ?? 0) > 2500 * 4)
        #expect(summary["seqs"] == summary["last"])
        #expect(summary["contiguous"] == true)
    }

    @Test("events.unsubscribe during a replay stops it: after the answer, the rest of the log does not come")
    func unsubscribeStopsReplay() async throws {
        let daemon = try await DaemonProcess.started()
        let client = try await daemon.client()
        try await Self.countLog(client)
        // The reader takes 300 events, unsubscribes, pings, and reads on until the line has been
        // quiet for half a second (the absence of events cannot be awaited otherwise): every
        // event after the unsubscribe's answer was sent after the subscription ended. Before the
        // fix, the replay went on through the rest of the 12,000-event log.
        let reader = Self.replaySubscriber + """
            subscription, last = answer["result"]["subscription"], answer["result"]["nextSeq"] - 1
            seen = 0
            for line in f:
                if json.loads(line).get("method") == "events.event":
                    seen += 1
                    if seen == 300:
                        break
            s.sendall(json.dumps({"jsonrpc": "2.0", "id": 2, "method": "events.unsubscribe", "params": {"subscription": subscription}}).encode() + b"\\n")
            before, after, unsubscribed, pinged = 0, 0, None, False
            try:
                for line in f:
                    message = json.loads(line)
                    if message.get("id") == 2:
                        unsubscribed = message["result"]["unsubscribed"]
                        s.sendall(b'{"jsonrpc":"2.0","id":3,"method":"daemon.ping"}\\n')
                    elif message.get("id") == 3:
                        pinged = True
                        s.settimeout(0.5)
                    elif message.get("method") == "events.event":
                        if unsubscribed is None:
                            before += 1
                        else:
                            after += 1
            except (socket.timeout, OSError):
                pass
            assert pinged
            print(json.dumps({"last": last, "before": before, "after": after, "unsubscribed": unsubscribed}))
            """
        let outcome = try await Wfctl.spawn("/usr/bin/python3", ["-c", reader, daemon.socket])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let summary = try JSON(parsing: outcome.stdout)
        #expect(summary["unsubscribed"] == true)
        #expect((summary["last"]?.intValue ?? 0) > 2500 * 4)
        // At most an event the pump had in hand when the answer went out.
        #expect((summary["after"]?.intValue ?? .max) <= 1, "\(summary)")
    }
}

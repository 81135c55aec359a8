import DaemonTestSupport
import Foundation
import Testing
import WorkflowJSON
import WorkflowProtocol
import WorkflowTestSupport

/// Instances and runs over the socket: create, list, get, delete, runs in the background,
/// waiting, cancelling, idempotency, racing clients and clients that go away.
@Suite("Daemon: instances and runs")
struct InstanceRunTests {
    @Test("instance.create, list (pages), get, delete, and their errors")
    func instances() async throws {
        let daemon = try await DaemonProcess.started()
        let client = try await daemon.client()
        for name in ["a", "b", "c"] {
            let info = try await client.result("instance.create", ["name": .string(name), "definition": "echo"])
            #expect(info["name"]?.stringValue == name)
            #expect(info["status"] == "idle")
            #expect(info["definitionHash"]?.stringValue?.isEmpty == false)
        }
        let exists = try await client.error("instance.create", ["name": "a", "definition": "echo"])
        #expect(exists.code == .instanceExists)
        #expect(exists.data?["instance"] == "a")
        #expect(try await client.error("instance.create", ["name": "z", "definition": "nope"]).code == .definitionNotFound)
        #expect(try await client.error("instance.create", ["name": "z", "definition": "echo", "onBusy": "wait"]).code == .invalidParams)
        #expect(try await client.error("instance.create", ["name": "", "definition": "echo"]).code == .invalidParams)

        let page1 = try await client.result("instance.list", ["limit": 2])
        #expect(page1["instances"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["a", "b"])
        #expect(page1["next"] == "b")
        let page2 = try await client.result("instance.list", ["limit": 2, "after": "b"])
        #expect(page2["instances"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["c"])
        #expect(page2["next"] == nil)
        #expect(try await client.result("instance.list", ["definition": "ask"])["instances"] == [])

        let missing = try await client.error("instance.get", ["instance": "nope"])
        #expect(missing.code == .instanceNotFound)
        #expect(missing.data?["instance"] == "nope")
        #expect(try await client.result("instance.delete", ["instance": "b"])["deleted"] == true)
        #expect(try await client.error("instance.get", ["instance": "b"]).code == .instanceNotFound)
        #expect(try await client.error("instance.delete", ["instance": "b"]).code == .instanceNotFound)
    }

    @Test("runs go on in the background: run.start answers at once, run.wait (a timeout is not an error), run.get, run.list, run.cancel")
    func backgroundRuns() async throws {
        let daemon = try await DaemonProcess.started()
        let client = try await daemon.client()
        let gate = daemon.gate("s")
        let started = try await client.result("run.start", ["instance": "s", "definition": "gated", "input": .string(gate)])
        #expect(started["status"] == "in_progress")
        let runID = try #require(started["runId"]?.stringValue)
        let waited = try await client.result("run.wait", ["instance": "s", "timeoutMs": 50])
        #expect(waited["timedOut"] == true)
        #expect(waited["status"] == "in_progress")
        #expect(try await client.result("instance.get", ["instance": "s"])["activeRunId"]?.stringValue == runID)
        try daemon.open(gate)
        let done = try await client.result("run.wait", ["instance": "s", "runId": .string(runID)])
        #expect(done["status"] == "idle")
        #expect(done["outputs"] == ["opened"])
        let got = try await client.result("run.get", ["instance": "s", "runId": .string(runID)])
        #expect(got["status"] == "idle")
        #expect(got["input"] == .string(gate))
        #expect(try await client.error("run.get", ["instance": "s", "runId": "nope"]).code == .runNotFound)

        let forever = try await client.result("run.start", ["instance": "f", "definition": "forever"])
        let busy = try await client.error("instance.delete", ["instance": "f"])
        #expect(busy.code == .instanceBusy)
        let cancelled = try await client.result("run.cancel", ["instance": "f"])
        #expect(cancelled["cancelled"] == true)
        #expect(cancelled["runId"] == forever["runId"])
        let after = try await client.result("run.get", ["instance": "f", "runId": try #require(forever["runId"])])
        #expect(after["status"] == "cancelled")
        #expect(try await client.result("run.cancel", ["instance": "f"])["cancelled"] == false)
        let runs = try await client.result("run.list", ["instance": "s"])
        #expect(runs["runs"]?.arrayValue?.first?["runId"]?.stringValue == runID)

        // delete with cancel: the active run is cancelled first.
        _ = try await client.result("run.start", ["instance": "f", "input": 2])
        #expect(try await client.result("instance.delete", ["instance": "f", "cancel": true])["deleted"] == true)
    }

    @Test("two clients race run.start: exactly one wins, the other gets -32004 at once; onBusy queue queues")
    func racingStarts() async throws {
        let daemon = try await DaemonProcess.started()
        _ = try await daemon.client().result("instance.create", ["name": "r", "definition": "gated"])
        let first = try await daemon.client()
        let second = try await daemon.client()
        // The winner's run waits on its gate, so the other start surely finds the instance busy.
        async let one = first.call("run.start", ["instance": "r", "input": .string(daemon.gate("r"))])
        async let two = second.call("run.start", ["instance": "r", "input": .string(daemon.gate("r"))])
        let outcomes = [try await one, try await two]
        let wins = outcomes.filter { if case .success = $0 { true } else { false } }
        let losses = outcomes.compactMap { if case .failure(let error) = $0 { error } else { nil } }
        #expect(wins.count == 1)
        #expect(losses.map(\.code) == [.instanceBusy])
        #expect(losses.first?.data?["instance"] == "r")

        let client = try await daemon.client()
        try daemon.open(daemon.gate("r"))
        _ = try await client.result("instance.create", ["name": "q", "definition": "gated", "onBusy": "queue"])
        let a = try await client.result("run.start", ["instance": "q", "input": .string(daemon.gate("a"))])
        let b = try await client.result("run.start", ["instance": "q", "input": .string(daemon.gate("b"))])
        #expect(b["status"] == "queued")
        #expect(b["position"] == 1)
        let info = try await client.result("instance.get", ["instance": "q"])
        #expect(info["activeRunId"] == a["runId"])
        #expect(info["queuedRunIds"] == [try #require(b["runId"])])
        // b starts when a ends, not before.
        try daemon.open(daemon.gate("b"))
        let stillWaiting = try await client.result("run.wait", ["instance": "q", "runId": try #require(a["runId"]), "timeoutMs": 100])
        #expect(stillWaiting["timedOut"] == true)
        #expect(try await client.result("run.get", ["instance": "q", "runId": try #require(b["runId"])])["status"] == "queued")
        try daemon.open(daemon.gate("a"))
        #expect(try await client.result("run.wait", ["instance": "q", "runId": try #require(b["runId"])])["status"] == "idle")
        #expect(try await client.result("run.get", ["instance": "q", "runId": try #require(a["runId"])])["status"] == "idle")
    }

    @Test("page sizes outside what the schema allows are refused, naming the bounds; absent, the default applies")
    func pageLimits() async throws {
        let daemon = try await DaemonProcess.started()
        let client = try await daemon.client()
        _ = try await client.result("run.start", ["instance": "p", "definition": "echo", "input": 1, "wait": true])
        for (method, params, maximum) in [("events.read", ["instance": "p"], 10_000), ("instance.list", [:], 10_000),
                                          ("run.list", ["instance": "p"], 1000)] as [(String, [String: JSON], Int)] {
            for limit in [0, -1, maximum + 1] {
                var asked = params
                asked["limit"] = .number(Double(limit))
                let error = try await client.error(method, .object(asked))
                #expect(error.code == .invalidParams, "\(method) limit \(limit)")
                #expect(error.message.contains("between 1 and \(maximum)"), "\(method): \(error.message)")
                #expect(error.data?["path"] == "params.limit")
            }
            var largest = params
            largest["limit"] = .number(Double(maximum))
            _ = try await client.result(method, .object(largest))
            _ = try await client.result(method, .object(params))
        }
        #expect(try await client.result("events.read", ["instance": "p"])["events"]?.arrayValue?.isEmpty == false)
    }

    @Test("an idempotency key returns the same run and starts nothing")
    func idempotency() async throws {
        let daemon = try await DaemonProcess.started()
        let client = try await daemon.client()
        let first = try await client.result("run.start", ["instance": "i", "definition": "echo", "input": 1, "idempotencyKey": "k1", "wait": true])
        let again = try await client.result("run.start", ["instance": "i", "input": 2, "idempotencyKey": "k1"])
        #expect(again["runId"] == first["runId"])
        #expect(again["disposition"] == "existing")
        #expect(try await client.result("run.list", ["instance": "i"])["runs"]?.arrayValue?.count == 1)
    }

    @Test("a client that disconnects mid-run affects neither the run nor the instance")
    func clientDroppedMidRun() async throws {
        let daemon = try await DaemonProcess.started()
        let gate = daemon.gate("d")
        let leaving = try await daemon.client()
        let started = try await leaving.result("run.start", ["instance": "d", "definition": "gated", "input": .string(gate)])
        let runID = try #require(started["runId"])
        _ = try await leaving.result("events.subscribe", ["instance": "d", "afterSeq": 0])
        // A call in progress (waiting for the run) when the client goes.
        try await leaving.send(.object(["jsonrpc": "2.0", "id": 1, "method": "run.wait", "params": ["instance": "d"]]))
        await leaving.close()
        let other = try await daemon.client()
        try await eventually(.seconds(30), "the subscription to go with its connection") {
            try await other.result("daemon.status")["subscriptions"] == 0
        }
        // The run outlived the connection: its program still waits on the gate.
        let during = try await other.result("instance.get", ["instance": "d"])
        #expect(during["status"] == "in_progress")
        #expect(during["activeRunId"] == runID)
        try daemon.open(gate)
        let result = try await other.result("run.wait", ["instance": "d", "runId": runID])
        #expect(result["status"] == "idle")
        #expect(result["outputs"] == ["opened"])
        let next = try await other.result("run.start", ["instance": "d", "input": .string(gate), "wait": true])
        #expect(next["status"] == "idle", "the instance is not left busy")
        // The call it left in progress was answered into the void, and the connection closed.
        try await daemon.waitForLog("a connection closed")
    }
}

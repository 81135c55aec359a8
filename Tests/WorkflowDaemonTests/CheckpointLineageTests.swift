import DaemonTestSupport
import Testing
import WorkflowJSON
import WorkflowProtocol

/// Checkpoints on demand with labels, rewinds and forks by id or label, and lineage across runs,
/// rewinds and resets, over the socket.
@Suite("Daemon: checkpoints, rewind, fork, lineage")
struct CheckpointLineageTests {
    @Test("checkpoint.create with a label (idle and running), list, get, rewind and fork by label, delete, prune")
    func checkpoints() async throws {
        let daemon = try await DaemonProcess.started()
        let client = try await daemon.client()
        _ = try await client.result("run.start", ["instance": "a", "definition": "ask", "input": "first", "wait": true])
        let labelled = try await client.result("checkpoint.create", ["instance": "a", "label": "asked"])
        let labelledID = try #require(labelled["id"]?.stringValue)
        #expect(labelled["label"] == "asked")
        #expect(labelled["openRequests"] == 1)
        #expect(try await client.error("checkpoint.create", ["instance": "a", "label": "asked"]).code == .invalidParams)

        // Answer it: the instance moves on past the labelled checkpoint.
        let request = try #require(try await client.result("request.list", ["instance": "a"])["requests"]?[0]?["id"])
        let answered = try await client.result("request.respond", ["instance": "a", "requestId": request, "response": ["ok": true]])
        _ = try await client.result("run.wait", ["instance": "a", "runId": try #require(answered["runId"])])
        #expect(try await client.result("instance.get", ["instance": "a"])["openRequests"] == [])

        let list = try await client.result("checkpoint.list", ["instance": "a"])
        let checkpoints = try #require(list["checkpoints"]?.arrayValue)
        #expect(checkpoints.contains { $0["label"] == "asked" && $0["id"]?.stringValue == labelledID })
        #expect(checkpoints.filter { $0["head"] == true }.count == 1)
        let got = try await client.result("checkpoint.get", ["instance": "a", "checkpointId": "asked"])
        #expect(got["info"]?["id"]?.stringValue == labelledID)
        #expect(try await client.error("checkpoint.get", ["instance": "a", "checkpointId": "nope"]).code == .checkpointNotFound)

        // Rewind by label: the request is open again, and can be answered differently.
        let rewound = try await client.result("instance.rewind", ["instance": "a", "checkpointId": "asked"])
        #expect(rewound["instance"]?["openRequests"]?.arrayValue?.count == 1)
        let reopened = try #require(rewound["instance"]?["openRequests"]?[0]?["id"])
        let again = try await client.result("request.respond", ["instance": "a", "requestId": reopened, "response": ["ok": false]])
        let result = try await client.result("run.wait", ["instance": "a", "runId": try #require(again["runId"])])
        #expect(result["outputs"]?[0]?["response"] == ["ok": false])

        // Fork by label: a new instance that remembers where it came from.
        let fork = try await client.result("instance.fork", ["instance": "a", "checkpointId": "asked", "name": "a2"])
        #expect(fork["instance"]?["name"] == "a2")
        #expect(fork["instance"]?["forkedFrom"]?["instance"] == "a")
        #expect(fork["instance"]?["forkedFrom"]?["checkpointId"]?.stringValue == labelledID)
        #expect(fork["instance"]?["openRequests"]?.arrayValue?.count == 1)
        #expect(try await client.error("instance.fork", ["instance": "a", "checkpointId": "asked", "name": "a2"]).code == .instanceExists)

        // Prune never removes a labelled checkpoint; delete removes it.
        _ = try await client.result("checkpoint.prune", ["instance": "a"])
        #expect(try await client.result("checkpoint.get", ["instance": "a", "checkpointId": "asked"])["info"]?["label"] == "asked")
        #expect(try await client.result("checkpoint.delete", ["instance": "a", "checkpointId": .string(labelledID)])["deleted"] == true)
        #expect(try await client.error("checkpoint.get", ["instance": "a", "checkpointId": "asked"]).code == .checkpointNotFound)

        // A checkpoint asked for while a run goes on is the one of its next boundary.
        let running = try await client.result("run.start", ["instance": "s", "definition": "gated", "input": .string(daemon.gate("s"))])
        let creates = daemon.log.occurrences(of: "rpc.method=checkpoint.create")
        async let asked = client.result("checkpoint.create", ["instance": "s", "label": "during"])
        try await daemon.waitForLog("rpc.method=checkpoint.create", count: creates + 1)  // asked before the gate opens
        try daemon.open(daemon.gate("s"))
        let during = try await asked
        #expect(during["label"] == "during")
        #expect(during["runId"] == running["runId"])
        _ = try await client.result("run.wait", ["instance": "s"])
    }

    @Test("lineage across runs, rewinds and resets: parents chain to the root; a reset starts a new root")
    func lineage() async throws {
        let daemon = try await DaemonProcess.started()
        let client = try await daemon.client()
        for n in 0..<3 { _ = try await client.result("run.start", ["instance": "e", "definition": "echo", "input": .number(Double(n)), "wait": true]) }
        var checkpoints = try #require(try await client.result("checkpoint.list", ["instance": "e"])["checkpoints"]?.arrayValue)
        let ids = Set(checkpoints.compactMap { $0["id"]?.stringValue })
        for checkpoint in checkpoints {
            if let parent = checkpoint["parentId"]?.stringValue { #expect(ids.contains(parent), "every parent is stored") }
        }
        #expect(checkpoints.filter { $0["parentId"] == nil }.count == 1, "one root")
        let middle = try #require(checkpoints[checkpoints.count / 2]["id"])
        _ = try await client.result("instance.rewind", ["instance": "e", "checkpointId": middle])
        #expect(try await client.result("instance.get", ["instance": "e"])["head"] == middle)
        _ = try await client.result("run.start", ["instance": "e", "input": 9, "wait": true])
        checkpoints = try #require(try await client.result("checkpoint.list", ["instance": "e"])["checkpoints"]?.arrayValue)
        let head = try #require(checkpoints.first { $0["head"] == true })
        #expect(head["parentId"] == middle || checkpoints.first { $0["id"] == head["parentId"] }?["parentId"] == middle,
                "the new branch grows from the rewound checkpoint")
        let reset = try await client.result("instance.reset", ["instance": "e"])
        let resetHead = reset["head"]
        let afterReset = try #require(try await client.result("checkpoint.list", ["instance": "e"])["checkpoints"]?.arrayValue)
        let root = afterReset.first { $0["id"] == resetHead }
        #expect(resetHead == nil || root?["parentId"] == nil, "a reset does not continue the old lineage")
        let events = try await client.result("events.read", ["instance": "e", "limit": 10000])["events"]?.arrayValue ?? []
        #expect(events.contains { $0["type"] == "instance_reset" })
        #expect(events.contains { $0["type"] == "instance_rewound" })
        let seqs = events.compactMap { $0["seq"]?.intValue }
        #expect(seqs == Array(1...seqs.count), "the log goes on across resets: seqs never reused")
    }
}

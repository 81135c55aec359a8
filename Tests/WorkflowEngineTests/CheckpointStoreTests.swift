import Testing
@testable import WorkflowEngine

@Suite("Checkpoint model and the in-memory store")
struct CheckpointStoreTests {
    func checkpoint(_ id: String, parent: String?, instance: String = "i", state: JSONObject = [:]) -> Checkpoint {
        Checkpoint(id: id, parentID: parent, instance: instance, workflowName: "w", definitionHash: "h", runID: "r1",
                   reason: .superstep, superstep: 1, time: Timestamp.now(), status: .inProgress, sharedState: state,
                   executorStates: ["a": ["n": 1]], edgeStates: ["[a,b]->c": [[1], []]],
                   messages: [.init(source: "a", target: "b", payload: ["x": 1], request: nil)], pendingRequests: [])
    }

    @Test("one batch commits a checkpoint, its events and the status together")
    func commitBatch() async throws {
        let store = InMemoryCheckpointStore()
        let event = WorkflowEvent(seq: 1, time: Timestamp.now(), instance: "i", runID: "r1", body: .checkpointSaved(checkpointID: "c1", superstep: 1))
        try await store.commit(StoreBatch(instance: "i", events: [event], checkpoint: checkpoint("c1", parent: nil), status: .inProgress))
        #expect(try await store.checkpoint(id: "c1")?.id == "c1")
        #expect(try await store.events(instance: "i", afterSeq: 0, limit: 10) == [event])
        #expect(store.status(instance: "i") == .inProgress)
    }

    @Test("checkpoints round-trip through JSON exactly")
    func roundTrip() throws {
        let original = checkpoint("c1", parent: "c0", state: ["k": [1, "two", nil, ["deep": true]]])
        #expect(try Checkpoint(json: original.json) == original)
        #expect(try CheckpointSummary(json: original.summary.json) == original.summary)
    }

    @Test("a malformed checkpoint names the field that is wrong")
    func malformed() {
        var json = checkpoint("c1", parent: nil).json
        if case .object(var object) = json {
            object["superstep"] = "three"
            json = .object(object)
        }
        #expect {
            try Checkpoint(json: json)
        } throws: { error in
            (error as? JSONShapeError)?.description == "checkpoint.superstep: expected an integer from 0 to 2^53"
        }
    }

    @Test("lineage follows parents to the root; listing is per instance, oldest first; delete removes one")
    func lineageAndDelete() async throws {
        let store = InMemoryCheckpointStore()
        for (id, parent) in [("c1", nil), ("c2", "c1"), ("c3", "c2"), ("b1", "c2")] as [(String, String?)] {
            try await store.commit(StoreBatch(instance: "i", events: [], checkpoint: checkpoint(id, parent: parent)))
        }
        try await store.commit(StoreBatch(instance: "other", events: [], checkpoint: checkpoint("o1", parent: nil, instance: "other")))
        #expect(try await store.lineage(of: "c3").map(\.id) == ["c3", "c2", "c1"])
        #expect(try await store.lineage(of: "b1").map(\.id) == ["b1", "c2", "c1"])
        #expect(try await store.checkpoints(instance: "i").map(\.id) == ["c1", "c2", "c3", "b1"])
        #expect(try await store.deleteCheckpoint(id: "c2"))
        #expect(try await !store.deleteCheckpoint(id: "c2"))
        #expect(try await store.checkpoints(instance: "i").map(\.id) == ["c1", "c3", "b1"])
        #expect(try await store.lineage(of: "c3").map(\.id) == ["c3"])
    }

    @Test("events page by seq")
    func eventPaging() async throws {
        let store = InMemoryCheckpointStore()
        let events = (1...10).map { WorkflowEvent(seq: UInt64($0), time: 0, instance: "i", runID: nil, body: .superstepStarted(superstep: $0)) }
        try await store.commit(StoreBatch(instance: "i", events: events))
        #expect(try await store.events(instance: "i", afterSeq: 3, limit: 4).map(\.seq) == [4, 5, 6, 7])
        #expect(try await store.events(instance: "i", afterSeq: 8, limit: .max).map(\.seq) == [9, 10])
        #expect(try await store.events(instance: "i", afterSeq: 10, limit: 5).isEmpty)
        #expect(try await store.events(instance: "nobody", afterSeq: 0, limit: 5).isEmpty)
    }

    @Test("every event type round-trips through JSON")
    func eventJSON() throws {
        let request = WorkflowRequest(id: "q1", executor: "a", payload: "?", schema: ["type": "boolean"], runID: "r1", superstep: 2, time: 12.5)
        let bodies: [WorkflowEvent.Body] = [
            .runStarted(trigger: .input, input: [1]), .status(.idleWithPendingRequests), .superstepStarted(superstep: 1),
            .superstepCompleted(superstep: 1), .executorInvoked(executor: "a", superstep: 1, message: "m"),
            .executorInvoked(executor: "a", superstep: 2, message: true, requestID: "q1"),
            .executorCompleted(executor: "a", superstep: 1), .executorFailed(executor: "a", superstep: 1, error: "boom"),
            .output(executor: "a", value: ["o": 1]), .request(request), .responseAccepted(requestID: "q1", executor: "a", response: true),
            .checkpointSaved(checkpointID: "c1", superstep: 1), .warning(executor: "a", reason: "why", valueType: "string"),
            .warning(executor: nil, reason: "why", valueType: nil), .runFailed(error: WorkflowError(.executorFailed, "x", details: ["e": 1])),
            .instanceReset, .instanceRewound(checkpointID: "c1"), .instanceForked(fromInstance: "i", checkpointID: "c1"),
            .runRecovered(checkpointID: "c1"), .custom(executor: "a", name: "n", data: [1, 2]),
            .timerFired(executor: "w", waitID: "w1", scheduledFor: 1_000, firedAt: 1_000.25),
            .signalReceived(name: "approved", executor: "w", waitID: "w2"),
            .requestTimedOut(requestID: "q1", executor: "a", expiredAt: 1_000),
            .executorRetrying(executor: "a", superstep: 1, attempt: 1, attempts: 2, delay: 0.25, error: "boom", durable: false),
            .llmMessage(executor: "m", message: ["model": "x", "content": "hi", "usage": ["promptTokens": 3, "completionTokens": 1], "round": 1]),
            .llmDelta(executor: "m", content: "h"),
        ]
        #expect(Set(bodies.map(\.kind)) == Set(WorkflowEvent.Kind.allCases))
        for (index, body) in bodies.enumerated() {
            let event = WorkflowEvent(seq: UInt64(index + 1), time: 1_000.25, instance: "i", runID: index % 2 == 0 ? "r1" : nil, body: body)
            #expect(try WorkflowEvent(json: try JSON(parsing: event.json.serialized())) == event)
        }
        #expect(throws: JSONShapeError.self) { try WorkflowEvent(json: ["type": "nonsense", "seq": 1]) }
    }

    @Test("decoders refuse out-of-range numbers instead of trapping")
    func outOfRange() throws {
        let event = WorkflowEvent(seq: 1, time: 0, instance: "i", runID: nil, body: .instanceReset).json
        for seq: JSON in [1e30, 18_446_744_073_709_551_616.0, -1, 1.5, "1"] {
            guard case .object(var object) = event else { return }
            object["seq"] = seq
            #expect(throws: JSONShapeError.self) { try WorkflowEvent(json: .object(object)) }
        }
        var checkpoint = checkpoint("c1", parent: nil).json
        if case .object(var object) = checkpoint {
            object["superstep"] = .number(Double(Int.max))
            checkpoint = .object(object)
        }
        #expect(throws: JSONShapeError.self) { try Checkpoint(json: checkpoint) }
        #expect(Timestamp.format(.infinity).hasSuffix("Z"))
        #expect(Timestamp.format(-.infinity).hasSuffix("Z"))
        #expect(Timestamp.format(.nan) == "1970-01-01T00:00:00.000Z")
    }
}

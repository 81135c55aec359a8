import Testing
import WorkflowEngine
@testable import WorkflowStore

/// A run's row is written once when the transaction that starts it also carries its outputs,
/// end and error; a run id stored before keeps its row and is brought up to date.
@Suite("Run rows")
struct RunRowTests {
    func store(_ place: StorePlace) async throws -> any SQLStore {
        let store = try await place.open()
        try await store.createInstance(InstanceRecord(name: "i", definition: "d", definitionHash: "h", createdAt: 1))
        return store
    }

    func event(_ seq: UInt64, _ run: String, _ body: WorkflowEvent.Body) -> WorkflowEvent {
        WorkflowEvent(seq: seq, time: Double(seq), instance: "i", runID: run, body: body)
    }

    @Test("a run that starts, yields, fails and ends in one transaction is stored with all of it", arguments: StoreBackend.allCases)
    func runInOneTransaction(_ backend: StoreBackend) async throws {
        let place = try await StorePlace(backend)
        defer { withExtendedLifetime(place) {} }
        let store = try await store(place)
        try await store.commit(StoreBatch(instance: "i", events: [
            event(1, "r1", .runStarted(trigger: .input, input: ["n": 1])),
            event(2, "r1", .superstepCompleted(superstep: 1)),
            event(3, "r1", .output(executor: "o", value: ["a": [1, 2]])),
            event(4, "r1", .output(executor: "o", value: "two")),
            event(5, "r1", .superstepCompleted(superstep: 2)),
            event(6, "r1", .runFailed(error: WorkflowError(.executorFailed, "boom"))),
            event(7, "r1", .status(.failed)),
        ], idempotencyKeys: [IdempotencyKey(key: "k1", runID: "r1", createdAt: 1)]))
        let run = try #require(try await store.run(id: "r1"))
        #expect(run.status == "failed")
        #expect(run.trigger == "input" && run.input == ["n": 1])
        #expect(run.outputs == [["a": [1, 2]], "two"])
        #expect(run.error?["message"] == "boom")
        #expect(run.startedAt == 1 && run.endedAt == 7)
        #expect(run.supersteps == 2)
        #expect(run.idempotencyKey == "k1")
    }

    @Test("a run that only starts in a transaction is in progress, with nothing yet", arguments: StoreBackend.allCases)
    func runStartedOnly(_ backend: StoreBackend) async throws {
        let place = try await StorePlace(backend)
        defer { withExtendedLifetime(place) {} }
        let store = try await store(place)
        try await store.commit(StoreBatch(instance: "i", events: [event(1, "r1", .runStarted(trigger: .input, input: 5))]))
        let run = try #require(try await store.run(id: "r1"))
        #expect(run.status == "in_progress" && run.endedAt == nil && run.error == nil)
        #expect(run.outputs == [] && run.supersteps == 0 && run.idempotencyKey == nil)
        // Its end in a later transaction updates the row.
        try await store.commit(StoreBatch(instance: "i", events: [
            event(2, "r1", .superstepCompleted(superstep: 1)),
            event(3, "r1", .output(executor: "o", value: 1)),
            event(4, "r1", .status(.idle)),
        ]))
        let ended = try #require(try await store.run(id: "r1"))
        #expect(ended.status == "idle" && ended.endedAt == 4 && ended.outputs == [1] && ended.supersteps == 1)
    }

    @Test("a run id started again keeps its row: its input and earlier outputs stay, the new ones are appended", arguments: StoreBackend.allCases)
    func runStartedAgainKeepsItsRow(_ backend: StoreBackend) async throws {
        let place = try await StorePlace(backend)
        defer { withExtendedLifetime(place) {} }
        let store = try await store(place)
        try await store.commit(StoreBatch(instance: "i", events: [
            event(1, "r1", .runStarted(trigger: .input, input: "first")),
            event(2, "r1", .output(executor: "o", value: 1)),
            event(3, "r1", .superstepCompleted(superstep: 1)),
            event(4, "r1", .runFailed(error: WorkflowError(.executorFailed, "boom"))),
            event(5, "r1", .status(.failed)),
        ]))
        try await store.commit(StoreBatch(instance: "i", events: [
            event(6, "r1", .runStarted(trigger: .retry, input: "second")),
            event(7, "r1", .output(executor: "o", value: 2)),
            event(8, "r1", .superstepCompleted(superstep: 1)),
            event(9, "r1", .status(.idle)),
        ]))
        let run = try #require(try await store.run(id: "r1"))
        #expect(run.status == "idle" && run.endedAt == 9)
        #expect(run.input == "first" && run.trigger == "input")
        #expect(run.outputs == [1, 2])
        #expect(run.supersteps == 2)
        #expect(run.error?["message"] == "boom")
        #expect(try await store.runs(instance: "i").count == 1)
    }
}

import Testing
import WorkflowConcurrency
import WorkflowEngine
import WorkflowStore
import WorkflowTestSupport

/// The store's index of when instances' waits are due: what the daemon's timer service reads.
@Suite("SQLite store: when waits are due")
struct WakeIndexTests {
    static let start = 1_800_000_000.0

    /// `hold` waits `seconds` from the message (`{"for": N}`), or for the signal `go`.
    static func workflow() throws -> Workflow {
        var builder = WorkflowBuilder(name: "hold", start: "hold")
        builder.addExecutor("hold", kind: "hold") {
            FunctionExecutor { message, context in try context.wait(for: message["for"]?.doubleValue, signal: "go", input: message) }
        }
        return try builder.build()
    }

    static func instance(_ name: String, store: any SQLStore, clock: ManualClock) async throws -> WorkflowInstance {
        let workflow = try workflow()
        try await store.createInstance(InstanceRecord(name: name, definition: workflow.name, definitionHash: workflow.graphHash,
                                                      onBusy: "reject", createdAt: start))
        return WorkflowInstance(name: name, workflow: workflow, configuration: .init(store: store, clock: clock))
    }

    @Test("each instance's soonest wait is stored with its checkpoints, read soonest first, cleared when the wait fires or the instance resets, back after a rewind; the observer hears only changes", arguments: StoreBackend.allCases)
    func soonestWaitFollowsTheInstance(_ backend: StoreBackend) async throws {
        let place = try await StorePlace(backend)
        let store = try await place.open()
        let heard = Locked<[[String: Double?]]>([])
        store.observeWakes { change in heard.withLock { $0.append(change) } }
        let clock = ManualClock(start: Self.start)
        let a = try await Self.instance("a", store: store, clock: clock)
        let b = try await Self.instance("b", store: store, clock: clock)
        let c = try await Self.instance("c", store: store, clock: clock)
        #expect(try await a.run(["for": 600]).status == .waiting)
        #expect(try await b.run(["for": 60]).status == .waiting)
        #expect(try await c.run(["for": nil]).status == .waiting, "a wait on a signal only has no time")
        let due = try await store.instancesWaking(through: Self.start + 3_600, limit: 10)
        #expect(due.map(\.instance) == ["b", "a"])
        #expect(due.map(\.due) == [Self.start + 60, Self.start + 600])
        #expect(try await store.instancesWaking(through: Self.start + 100, limit: 10).map(\.instance) == ["b"])
        #expect(try await store.instancesWaking(through: Self.start + 3_600, limit: 1).map(\.instance) == ["b"])
        #expect(heard.withLock { $0 }.flatMap(\.keys).sorted() == ["a", "b"], "c's wait has no time: nothing changed for it")
        let checkpoint = try #require(await a.lineageHead)

        clock.advance(by: 600)
        let fired = try await a.fireDueWaits()
        _ = try await a.result(of: try #require(fired.first?.runID))
        #expect(try await store.instancesWaking(through: Self.start + 3_600, limit: 10).map(\.instance) == ["b"])
        let last = try #require(heard.withLock { $0 }.last)
        #expect(Array(last.keys) == ["a"])
        #expect(last["a"] == .some(Double?.none), "a has no wait armed any more")

        _ = try await a.rewind(to: checkpoint)
        #expect(try await store.instancesWaking(through: Self.start + 3_600, limit: 10).map(\.instance) == ["b", "a"])
        try await a.reset()
        #expect(try await store.instancesWaking(through: Self.start + 3_600, limit: 10).map(\.instance) == ["b"])
        let count = heard.withLock { $0.count }
        #expect(try await b.run(["for": 60]).status == .waiting)
        #expect(heard.withLock { $0.count } == count, "b's soonest wait is still its first: nothing changed, nothing announced")
        #expect(await b.armedWaits.count == 2)
    }
}

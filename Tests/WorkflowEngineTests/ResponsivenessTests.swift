import WorkflowConcurrency
import WorkflowJSON
import Testing
import WorkflowTestSupport
@testable import WorkflowEngine

/// A run of inline supersteps must not hold the instance: a response, a cancel or a read issued
/// while it goes on is taken between two supersteps (docs/semantics.md §3.5: answering while it runs).
/// The time limits catch a hang, not slowness: 20,000 checkpointed supersteps take 4 s alone in a
/// debug build, 40 s beside the rest of the suite, and several times that under a sanitizer.
@Suite("Answering, cancelling and reading during a run of inline supersteps")
struct ResponsivenessTests {
    static let steps = 20_000

    /// start → [ask, loop]: `ask` asks a person; `loop` is an inline self-loop of `steps`
    /// supersteps (like the loop example's transform). The join of the two is the output.
    static func twoBranches() throws -> Workflow {
        var b = WorkflowBuilder(name: "two-branches", start: "start")
        b.maxSupersteps = steps + 10
        b.add("start") { Scripted { m, c in c.send(m) } }
        b.add("ask") { Scripted(onResponse: { r, _, c in c.send(["answer": r]) }) { _, c in c.requestInfo("go on?", schema: ["type": "boolean"]) } }
        b.add("loop") { Scripted { m, c in
            let n = (m.doubleValue ?? 0) + 1
            c.setState("n", .number(n))
            if n < Double(steps) { c.send(.number(n)) } else { c.send(["looped": .number(n)]) }
        } }
        b.add("join") { Scripted { m, c in c.yieldOutput(m) } }
        b.addFanOut(from: "start", to: ["ask", "loop"])
        b.addEdge(from: "loop", to: "loop", when: EdgeCondition("number") { m, _ in m.doubleValue != nil })
        b.addEdge(from: "loop", to: "join", when: EdgeCondition("object") { m, _ in m.objectValue != nil })
        b.addEdge(from: "ask", to: "join")
        return try b.build()
    }

    @Test("a response during the loop reaches the active run at its next boundary; no new run starts",
          .timeLimit(.minutes(5)))
    func respondDuringLoop() async throws {
        let store = InMemoryCheckpointStore()
        let instance = makeInstance(try Self.twoBranches(), store: store, validator: TypeOnlyValidator())
        let events = try await instance.subscribe()
        let handle = try await instance.start(0)
        var request: WorkflowRequest?
        for try await event in events {
            if case .request(let raised) = event.body {
                request = raised
                break
            }
        }
        let open = try #require(request)
        let outcome = try await instance.respond(to: open.id, with: true)
        // Taken during the run, by the run: the loop had thousands of supersteps to go.
        #expect(!outcome.startedRun)
        #expect(outcome.runID == handle.runID)
        let whenAnswered = await instance.superstep
        #expect(whenAnswered < Self.steps / 2, "respond returned only at superstep \(whenAnswered)")
        #expect(await instance.activeRunID == handle.runID)
        let result = try await handle.result()
        #expect(result.status == .idle)  // not idle_with_pending_requests: the response was delivered
        #expect(Set(result.outputs) == [["answer": true], ["looped": .number(Double(Self.steps))]])
        let log = try store.allEvents(instance: "test")
        let delivered = log.first { if case .executorInvoked("ask", _, _, open.id) = $0.body { true } else { false } }
        #expect(delivered?.runID == handle.runID)
        #expect(log.filter { $0.kind == .runStarted }.count == 1)
    }

    @Test("a cancel during the loop stops it at its next boundary", .timeLimit(.minutes(5)))
    func cancelDuringLoop() async throws {
        let instance = makeInstance(try Self.twoBranches(), store: nil)
        let events = try await instance.subscribe()
        let handle = try await instance.start(0)
        for try await event in events {
            if case .superstepCompleted(let superstep) = event.body, superstep >= 10 { break }
        }
        let clock = ContinuousClock()
        let started = clock.now
        #expect(await instance.cancel())
        let took = clock.now - started
        let result = try await handle.result()
        #expect(result.status == .cancelled)
        #expect(result.supersteps < Self.steps / 2, "the run went on to superstep \(result.supersteps)")
        #expect(took < TestEnvironment.scaled(.seconds(5)), "cancel took \(took)")
        #expect(await instance.status == .cancelled)
    }

    @Test("reads during the loop are answered while it goes on")
    func readDuringLoop() async throws {
        let instance = makeInstance(try Self.twoBranches(), store: nil)
        let handle = try await instance.start(0)
        // Reads answered between supersteps see the run at different points; reads that waited
        // for the end of the run would all see the last superstep.
        var seen: [Int] = []
        var statuses: Set<InstanceStatus> = []
        while Set(seen).count < 3 && seen.count < 100_000 {
            let status = await instance.status  // read first: a superstep short of the end after it means the run was going on
            let superstep = await instance.superstep
            if superstep >= Self.steps { break }
            seen.append(superstep)
            statuses.insert(status)
            try await Task.sleep(for: .milliseconds(1))
        }
        #expect(Set(seen).count >= 3, "reads did not see the run going on: \(seen.suffix(10))")
        #expect(statuses == [.inProgress])
        _ = await instance.cancel()
        _ = try await handle.result()
    }

    @Test("an executor that awaits (not inline, the default) can be cancelled midway", .timeLimit(.minutes(3)))
    func awaitingExecutorIsCancellable() async throws {
        let gate = Gate()
        let cancelled = Locked(false)
        var b = WorkflowBuilder(name: "waits", start: "wait")
        b.addExecutor("wait") { FunctionExecutor { _, _ in
            do { try await gate.wait() } catch {
                cancelled.withLock { $0 = true }
                throw error
            }
        } }
        let workflow = try b.build()
        #expect(try !workflow.makeExecutors()[0].runsInline)
        let instance = makeInstance(workflow)
        let handle = try await instance.start(nil)
        await gate.arrived(1)
        #expect(await instance.cancel())
        #expect(try await handle.result().status == .cancelled)
        #expect(cancelled.withLock { $0 })
    }
}

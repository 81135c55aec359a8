import Testing
import WorkflowConcurrency
@testable import WorkflowEngine

/// `retry`: the work a failed run left, taken up again from the last checkpoint.
@Suite("Retrying a failed run")
struct RetryRunTests {
    @Test("a retry runs the superstep that failed again, with the messages the run left and a fresh budget; a retry that fails leaves it for the next; the failed run stays failed")
    func retryTakesUpTheWork() async throws {
        let failing = Locked(true)
        var builder = WorkflowBuilder(name: "flaky", start: "first")
        builder.add("first") { Scripted { message, context in context.send(.number((message.doubleValue ?? 0) + 1)) } }
        builder.add("flaky") {
            Scripted { message, context in
                if failing.withLock({ $0 }) { throw WorkflowError(.executorFailed, "not yet") }
                context.send(message)
            }
        }
        builder.add("out") { output() }
        builder.addEdge(from: "first", to: "flaky")
        builder.addEdge(from: "flaky", to: "out")
        let store = InMemoryCheckpointStore()
        let instance = makeInstance(try builder.build(), store: store)
        let failed = try await instance.run(1)
        #expect(failed.status == .failed)
        // Still failing: the retry fails too, and leaves the same work for the next one.
        #expect(try await instance.retry().result().status == .failed)
        failing.withLock { $0 = false }
        let handle = try await instance.retry()
        let result = try await handle.result()
        #expect(result.status == .idle)
        #expect(result.outputs == [2], "the message the failed run left (1 + 1) is the one delivered")
        let events = try await store.events(instance: "test", afterSeq: 0, limit: 1_000)
        #expect(events.contains { if case .runStarted(.retry, _) = $0.body { true } else { false } })
        #expect(try await instance.result(of: failed.runID).status == .failed)
    }

    @Test("nothing to retry: an instance whose last run did not fail says so")
    func nothingToRetry() async throws {
        let instance = makeInstance(try {
            var builder = WorkflowBuilder(name: "ok", start: "out")
            builder.add("out") { output() }
            return try builder.build()
        }())
        _ = try await instance.run(1)
        await #expect {
            try await instance.retry()
        } throws: { error in
            (error as? WorkflowError)?.code == .runNotFound && "\(error)".contains("no failed or cancelled run")
        }
    }
}

/// `runTimeout`: a bound on one run's time.
@Suite("Run timeouts")
struct RunTimeoutTests {
    @Test("a run past its runTimeout fails saying so: a loop of inline supersteps at a boundary, a step that blocks by interrupting it",
          .timeLimit(.minutes(3)))
    func runTimesOut() async throws {
        var looping = WorkflowBuilder(name: "loop", start: "loop")
        looping.maxSupersteps = 1_000_000_000
        looping.runTimeout = 0.2
        looping.add("loop") { Scripted { message, context in context.send(message) } }
        looping.addEdge(from: "loop", to: "loop")
        let loop = try await makeInstance(try looping.build()).run(1)
        #expect(loop.status == .failed)
        #expect(loop.error?.message.contains("took longer than its runTimeout") == true, "\(loop.error?.message ?? "")")

        let gate = Gate()
        var blocking = WorkflowBuilder(name: "block", start: "block")
        blocking.runTimeout = 0.2
        blocking.add("block") { Scripted(inline: false) { _, _ in try await gate.wait() } }
        let instance = makeInstance(try blocking.build())
        let blocked = try await instance.run(1)
        #expect(blocked.status == .failed, "the step was interrupted, not waited for")
        #expect(blocked.error?.details["runTimeout"] == 0.2)
        gate.open()
    }

    @Test("a run that ends in time is not touched by its bound; the bound is part of the graph's hash")
    func inTime() async throws {
        var builder = WorkflowBuilder(name: "quick", start: "out")
        builder.add("out") { output() }
        let plain = try builder.build()
        builder.runTimeout = 60
        let bounded = try builder.build()
        #expect(plain.graphHash != bounded.graphHash)
        #expect(try await makeInstance(bounded).run(1).status == .idle)
        builder.runTimeout = -1
        #expect(throws: WorkflowError.self) { try builder.build() }
    }
}

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

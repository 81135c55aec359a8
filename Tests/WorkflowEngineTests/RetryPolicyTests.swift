import Testing
import WorkflowConcurrency
@testable import WorkflowEngine

/// Retry policies: which failures are tried again, after what delays, how a failed try is
/// undone, and how a delay over a second becomes a durable wait (on a manual clock).
@Suite("Retries: policies, backoff, durable waits")
struct RetryPolicyTests {
    static let start = 1_800_000_000.0

    /// `flaky` sends the try's number on (only the successful try's must land), fails its first
    /// `failures` tries, then outputs the message with the try's number.
    static func workflow(failures: Int, policy: RetryPolicy, error: @escaping @Sendable () -> any Error = {
        WorkflowError(.executorFailed, "not yet")
    }) throws -> (Workflow, Locked<[Int]>) {
        let tries = Locked<[Int]>([])
        var builder = WorkflowBuilder(name: "retry", start: "flaky")
        builder.addExecutor("flaky", retry: policy) {
            Scripted(inline: false) { message, context in
                let attempt = context.attempt
                let count = tries.withLock { tries in
                    tries.append(attempt)
                    return tries.count
                }
                context.send(["sent": .number(Double(attempt))])
                if count <= failures { throw error() }
                context.yieldOutput(["message": message, "attempt": .number(Double(attempt))])
            }
        }
        builder.add("sink") { output() }
        builder.addEdge(from: "flaky", to: "sink")
        return (try builder.build(), tries)
    }

    static func retrying(_ store: InMemoryCheckpointStore, instance: String = "test") async throws -> [WorkflowEvent.Body] {
        try await store.events(instance: instance, afterSeq: 0, limit: 1_000).map(\.body).filter { $0.kind == .executorRetrying }
    }

    @Test("delays grow by the factor up to the cap, and jitter keeps each within delay × (1 ± jitter)")
    func backoffSequence() {
        let policy = RetryPolicy(attempts: 6, backoff: 1, factor: 3, maximum: 20, jitter: 0.5)
        let nominal = [1.0, 3, 9, 20, 20]
        for (index, expected) in nominal.enumerated() {
            #expect(policy.delay(after: index + 1, random: 0.5) == expected)
            #expect(policy.delay(after: index + 1, random: 0) == expected * 0.5)
            #expect(policy.delay(after: index + 1, random: 0.999_999) < expected * 1.5 + 0.001)
            for _ in 0..<50 {
                let drawn = policy.delay(after: index + 1, random: Double.random(in: 0..<1))
                #expect(drawn >= expected * 0.5 && drawn <= expected * 1.5)
            }
        }
        #expect(RetryPolicy(attempts: 3, backoff: 2).delay(after: 2, random: 0.5) == 4, "factor 2 by default")
    }

    @Test("which failures are retried: all but final ones by default; with on, only those listed (exit codes, timeout, crash, error codes); never a cancellation, never past the attempts")
    func conditions() {
        let all = RetryPolicy(attempts: 3)
        #expect(all.retries(WorkflowError(.executorFailed, "x"), attempt: 1))
        #expect(!all.retries(WorkflowError(.executorFailed, "x"), attempt: 3), "the third try was the last")
        #expect(!all.retries(WorkflowError(.executorFailed, "x", details: ["final": true]), attempt: 1))
        #expect(!all.retries(CancellationError(), attempt: 1))
        #expect(!all.retries(WorkflowError(.cancelled, "x"), attempt: 1))
        let some = RetryPolicy(attempts: 3, conditions: [.exit(75), .timeout, .error("rate_limited"), .error("responseInvalid")])
        #expect(some.retries(WorkflowError(.executorFailed, "x", details: ["failure": "exit:75"]), attempt: 1))
        #expect(!some.retries(WorkflowError(.executorFailed, "x", details: ["failure": "exit:1"]), attempt: 1))
        #expect(some.retries(WorkflowError(.executorFailed, "x", details: ["failure": "timeout"]), attempt: 1))
        #expect(!some.retries(WorkflowError(.executorFailed, "x", details: ["failure": "crash"]), attempt: 1))
        #expect(some.retries(WorkflowError(.executorFailed, "x", details: ["errorCode": "rate_limited"]), attempt: 1))
        #expect(some.retries(WorkflowError(.responseInvalid, "x"), attempt: 1))
        #expect(RetryPolicy.Condition("exit:256") == nil && RetryPolicy.Condition("sometimes") == nil && RetryPolicy.Condition("crash") == .crash)
    }

    @Test("short delays are slept in the superstep: the third try succeeds, what the failed tries sent never lands, executor_retrying says each try and delay")
    func inlineRetries() async throws {
        let (workflow, tries) = try Self.workflow(failures: 2, policy: RetryPolicy(attempts: 3, backoff: 0.01, factor: 2))
        let store = InMemoryCheckpointStore()
        let instance = WorkflowInstance(name: "test", workflow: workflow, configuration: .init(store: store))
        let result = try await instance.run(["n": 1])
        #expect(result.status == .idle)
        #expect(result.outputs == [["message": ["n": 1], "attempt": 3], ["sent": 3]], "only the successful try's effects land")
        #expect(tries.withLock { $0 } == [1, 2, 3])
        let retrying = try await Self.retrying(store)
        #expect(retrying.count == 2)
        if case .executorRetrying(let executor, _, let attempt, let attempts, let delay, let error, let durable) = retrying.first {
            #expect(executor == "flaky" && attempt == 1 && attempts == 3 && delay == 0.01 && error == "not yet" && !durable)
        }
        if case .executorRetrying(_, _, let attempt, _, let delay, _, _) = retrying.last { #expect(attempt == 2 && delay == 0.02) }
    }

    @Test("when the tries run out the run fails with the last error; a failure the policy does not list fails at once")
    func exhausted() async throws {
        let (workflow, tries) = try Self.workflow(failures: 10, policy: RetryPolicy(attempts: 2, backoff: 0.01))
        let store = InMemoryCheckpointStore()
        let instance = WorkflowInstance(name: "test", workflow: workflow, configuration: .init(store: store))
        let result = try await instance.run(1)
        #expect(result.status == .failed)
        #expect(tries.withLock { $0 } == [1, 2])
        #expect(try await Self.retrying(store).count == 1)

        let (unlisted, once) = try Self.workflow(failures: 10, policy: RetryPolicy(attempts: 5, backoff: 0.01, conditions: [.exit(75)]),
                                                 error: { WorkflowError(.executorFailed, "exit 1", details: ["failure": "exit:1"]) })
        let other = WorkflowInstance(name: "other", workflow: unlisted, configuration: .init(store: InMemoryCheckpointStore()))
        #expect(try await other.run(1).status == .failed)
        #expect(once.withLock { $0 } == [1])
    }

    @Test("a delay over a second is a durable wait: the run ends waiting, the wait survives a checkpoint round trip, and when it fires the message is tried again as try 2")
    func durableRetry() async throws {
        let clock = ManualClock(start: Self.start)
        let (workflow, tries) = try Self.workflow(failures: 1, policy: RetryPolicy(attempts: 3, backoff: 60))
        let store = InMemoryCheckpointStore()
        let instance = WorkflowInstance(name: "test", workflow: workflow, configuration: .init(store: store, clock: clock))
        let first = try await instance.run(["n": 7])
        #expect(first.status == .waiting)
        #expect(await instance.nextWaitDue == Self.start + 60)
        let wait = try #require(await instance.armedWaits.first)
        #expect(wait.retry?.attempt == 2)
        #expect(try WorkflowWait(json: wait.json) == wait, "a retry's wait is checkpointed whole")
        if case .executorRetrying(_, _, _, _, let delay, _, let durable) = try await Self.retrying(store).first {
            #expect(delay == 60 && durable)
        }
        clock.advance(by: 30)
        #expect(try await instance.fireDueWaits().isEmpty)
        clock.advance(by: 31)
        let fired = try await instance.fireDueWaits()
        let result = try await instance.result(of: try #require(fired.first?.runID))
        #expect(result.status == .idle)
        #expect(result.outputs == [["message": ["n": 7], "attempt": 2], ["sent": 2]])
        #expect(tries.withLock { $0 } == [1, 2])
        #expect(await instance.armedWaits.isEmpty)
    }
}

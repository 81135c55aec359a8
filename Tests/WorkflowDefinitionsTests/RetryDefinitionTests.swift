import Testing
import WorkflowDefinitions
import WorkflowEngine

/// `retry:` on executors, as a definition writes it.
@Suite("Definitions: retry policies")
struct RetryDefinitionTests {
    @Test("every kind takes a retry policy; its defaults, its conditions, and its place in the graph's hash")
    func policies() throws {
        let text = """
            name: r
            start: t
            executors:
              t: { kind: transform, expression: "@", retry: { attempts: 3, backoff: 2s, factor: 3, max: 1m, jitter: 0.2, on: [exit:75, timeout, crash, "error:rate_limited"] } }
              out: { kind: output }
            edges:
              - { from: t, to: out }
            """
        let definition = try Definition.parse(text, file: "r.yaml")
        let policy = try #require(definition.workflow.retryPolicy(of: "t"))
        #expect(policy.attempts == 3 && policy.backoff == 2 && policy.factor == 3 && policy.maximum == 60 && policy.jitter == 0.2)
        #expect(policy.conditions == [.exit(75), .timeout, .crash, .error("rate_limited")])
        #expect(definition.workflow.retryPolicy(of: "out") == nil)
        let other = try Definition.parse(text.replacing("attempts: 3", with: "attempts: 4"), file: "r.yaml")
        #expect(other.graphHash != definition.graphHash)
    }

    @Test("a wrong policy is refused naming the key", arguments: [
        ("{ backoff: 1s }", "executors.t.retry", "'attempts' is required"),
        ("{ attempts: 0 }", "executors.t.retry.attempts", "1 to 100"),
        ("{ attempts: 2, on: [exit:300] }", "executors.t.retry.on[0]", "is not exit:N"),
        ("{ attempts: 2, jitter: 2 }", "executors.t.retry.jitter", "from 0.0 to 1.0"),
        ("{ attempts: 2, wait: 1s }", "executors.t.retry.wait", "unknown key 'wait'"),
        ("[3]", "executors.t.retry", "must be a mapping"),
    ])
    func errors(policy: String, path: String, message: String) {
        let error = #expect(throws: DefinitionError.self) {
            try Definition.parse("""
                name: r
                start: t
                executors:
                  t: { kind: output, retry: \(policy) }
                """, file: "r.yaml")
        }
        #expect(error?.path == path, "\(String(describing: error))")
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
    }
}

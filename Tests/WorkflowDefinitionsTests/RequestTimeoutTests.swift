import Testing
import WorkflowDefinitions
import WorkflowEngine
import WorkflowTestSupport

/// A `request` step with `timeout` and `onTimeout`, as a definition writes it.
@Suite("Definitions: request timeouts")
struct RequestTimeoutTests {
    static let schema = "{ type: object, required: [approved], properties: { approved: { type: boolean } } }"

    static func definition(_ onTimeout: String, extra: String = "", edges: String = "- { from: ask, to: out }") throws -> Definition {
        try Definition.parse("""
            name: approve
            start: ask
            executors:
              ask: { kind: request, prompt: "Ship it?", schema: \(schema), timeout: 24h\(onTimeout.isEmpty ? "" : ", onTimeout: \(onTimeout)") }
              out: { kind: output }
            \(extra)
            edges:
              \(edges)
            """, file: "approve.yaml")
    }

    /// Runs the definition, lets the day pass, fires, and returns the continuation's result.
    static func timedOut(_ definition: Definition) async throws -> RunResult {
        let clock = ManualClock(start: 1_800_000_000)
        let instance = WorkflowInstance(name: "a", workflow: definition.workflow,
                                        configuration: .init(store: InMemoryCheckpointStore(), responseValidator: JSONSchemaValidator(), clock: clock))
        let first = try await instance.run(["draft": 1])
        let expiresAt = try #require(first.pendingRequests.first?.expiresAt)
        #expect(expiresAt == 1_800_086_400, "\(expiresAt - 1_800_086_400)")
        clock.advance(by: 86_400)
        let fired = try await instance.fireDueWaits()
        return try await instance.result(of: try #require(fired.first?.runID))
    }

    @Test("onTimeout respond: the value answers for the person, marked timedOut")
    func respond() async throws {
        let result = try await Self.timedOut(try Self.definition("{ respond: { approved: false } }"))
        #expect(result.status == .idle)
        #expect(result.outputs.first?["response"] == ["approved": false])
        #expect(result.outputs.first?["timedOut"] == true)
        #expect(result.outputs.first?["request"]?["prompt"] == "Ship it?")
    }

    @Test("onTimeout respondWith: an expression over the request's payload and the state answers; one that fails the schema fails the run, saying so")
    func respondWith() async throws {
        let good = try await Self.timedOut(try Self.definition(#"{ respondWith: "{approved: message.message.draft == `1`}" }"#))
        #expect(good.outputs.first?["response"] == ["approved": true])
        let bad = try await Self.timedOut(try Self.definition(#"{ respondWith: "{approved: 'maybe'}" }"#))
        #expect(bad.status == .failed)
        #expect(bad.error?.message.contains("does not match its schema") == true, "\(bad.error?.message ?? "")")
    }

    @Test("onTimeout to: the request goes to another executor (escalation); fail (the default) fails the run")
    func escalateAndFail() async throws {
        let escalated = try await Self.timedOut(try Self.definition("{ to: boss }", extra: "  boss: { kind: output }",
                                                                    edges: "- { from: ask, to: [out, boss] }"))
        #expect(escalated.status == .idle)
        #expect(escalated.outputs.first?["timedOut"] == true)
        #expect(escalated.outputs.first?["response"] == nil)
        let failed = try await Self.timedOut(try Self.definition(""))
        #expect(failed.status == .failed)
        #expect(failed.error?.message.contains("timed out") == true)
    }

    @Test("the loader refuses what cannot work, naming the path", arguments: [
        ("{ respond: { approved: 'no' } }", "- { from: ask, to: out }", "onTimeout.respond: does not match the request's schema"),
        ("{ to: nobody }", "- { from: ask, to: out }", "'nobody' is not one of the executors"),
        ("{ to: out }", "- { from: out, to: ask }", "no edge goes from 'ask' to 'out'"),
        ("{ shout: true }", "- { from: ask, to: out }", "must be fail, {respond: VALUE}"),
    ])
    func refused(onTimeout: String, edges: String, says: String) throws {
        do {
            _ = try Self.definition(onTimeout, edges: edges)
            Issue.record("\(onTimeout) loaded")
        } catch {
            #expect("\(error)".contains(says), "\(error)")
        }
    }

    @Test("runTimeout: a definition bounds each run's time; one that is not a duration is refused")
    func runTimeout() throws {
        let bounded = try Definition.parse("name: x\nstart: a\nrunTimeout: 2h\nexecutors:\n  a: { kind: output }\n", file: "x.yaml")
        #expect(bounded.workflow.runTimeout == 7_200)
        #expect(throws: DefinitionError.self) {
            try Definition.parse("name: x\nstart: a\nrunTimeout: soon\nexecutors:\n  a: { kind: output }\n", file: "x.yaml")
        }
    }

    @Test("onTimeout without a timeout is refused")
    func needsTimeout() throws {
        #expect(throws: DefinitionError.self) {
            try Definition.parse("""
                name: x
                start: ask
                executors:
                  ask: { kind: request, onTimeout: fail }
                """, file: "x.yaml")
        }
    }
}

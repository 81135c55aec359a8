import Testing
import WorkflowDefinitions
import WorkflowEngine

/// `kind: llm` in the definition language: what it accepts, what it refuses and why, and the
/// edges it adds between a step and its tools.
@Suite("Definitions: llm steps")
struct LLMDefinitionTests {
    static func definition(_ step: String, more: String = "", edges: String = "") throws -> Definition {
        try Definition.parse("""
            name: agent
            start: writer
            executors:
              writer:
            \(step.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
              lookup: { kind: transform, expression: "message" }
              done: { kind: output }
            \(more)
            edges:
              - { from: writer, to: done }
            \(edges)
            """, file: "agent.yaml")
    }

    static let minimal = """
        kind: llm
        baseURL: http://127.0.0.1:8080/v1
        model: local
        messages: [{ role: user, content: message }]
        """

    @Test("a minimal step loads, with the default retry policy (4 tries, from 0.5 s)")
    func minimal() throws {
        let loaded = try Self.definition(Self.minimal + "\ntools: [{ executor: lookup }]")
        let policy = try #require(loaded.workflow.retryPolicy(of: "writer"))
        #expect(policy.attempts == 4 && policy.backoff == 0.5 && policy.conditions.isEmpty)
    }

    @Test("tools get edges to them and back, unless the definition writes them; the final message's edges are the others")
    func toolEdges() throws {
        let loaded = try Self.definition(Self.minimal + "\ntools: [{ executor: lookup, description: Looks things up }]")
        let pairs = Set(loaded.workflow.edges.compactMap { edge -> String? in
            if case .direct(let from, let to, _) = edge { return from + "->" + to }
            return nil
        })
        #expect(pairs == ["writer->done", "writer->lookup", "lookup->writer"])
        let written = try Self.definition(Self.minimal + "\ntools: [{ executor: lookup }]", edges: "  - { from: lookup, to: writer }")
        #expect(written.workflow.edges.count == 3, "the written edge back is not doubled")
    }

    @Test("what an llm step may not say is refused, naming the field", arguments: [
        ("kind: llm\nmodel: m\nmessages: [{ role: user, content: message }]", "missing 'baseURL'"),
        ("kind: llm\nbaseURL: ftp://x\nmodel: m\nmessages: [{ role: user, content: message }]", "baseURL: must be an http:// or https:// URL"),
        ("kind: llm\nbaseURL: http://x/v1\nmodel: m", "missing 'messages'"),
        ("kind: llm\nbaseURL: http://x/v1\nmodel: m\nmessages: [{ role: boss, content: message }]", "'boss' is not a role"),
        ("kind: llm\nbaseURL: http://x/v1\nmodel: m\nmessages: [{ role: user, content: 'a[' }]", "messages[0].content"),
        ("kind: llm\nbaseURL: http://x/v1\nmodel: m\napiKeyFile: key.txt\nmessages: [{ role: user, content: message }]", "must be an absolute path"),
        ("kind: llm\nbaseURL: http://x/v1\nmodel: m\napiKeyFile: /k\napiKeyCredential: k\nmessages: [{ role: user, content: message }]", "not both"),
        ("kind: llm\nbaseURL: http://x/v1\nmodel: m\napiKeyCredential: ../k\nmessages: [{ role: user, content: message }]", "a credential's name"),
        ("kind: llm\nbaseURL: http://x/v1\nmodel: m\napiKey: sk-123\nmessages: [{ role: user, content: message }]", "unknown key 'apiKey'"),
        ("kind: llm\nbaseURL: http://x/v1\nmodel: m\ntemperature: 3\nmessages: [{ role: user, content: message }]", "from 0 to 2"),
        ("kind: llm\nbaseURL: http://x/v1\nmodel: m\nmaxToolRounds: 0\nmessages: [{ role: user, content: message }]", "from 1 to 100"),
        ("kind: llm\nbaseURL: http://x/v1\nmodel: m\nresponseSchema: { type: 5 }\nmessages: [{ role: user, content: message }]", "responseSchema: invalid JSON Schema"),
        ("kind: llm\nbaseURL: http://x/v1\nmodel: m\ntools: [{ executor: nowhere }]\nmessages: [{ role: user, content: message }]", "unknown executor 'nowhere'"),
        ("kind: llm\nbaseURL: http://x/v1\nmodel: m\ntools: [{ executor: writer }]\nmessages: [{ role: user, content: message }]", "cannot be its own tool"),
        ("kind: llm\nbaseURL: http://x/v1\nmodel: m\ntools: [{ executor: lookup, parameters: { type: string } }]\nmessages: [{ role: user, content: message }]", "of type object"),
        ("kind: llm\nbaseURL: http://x/v1\nmodel: m\ntimeout: forever\nmessages: [{ role: user, content: message }]", "timeout: must be a duration"),
    ])
    func refused(_ step: String, _ says: String) {
        do {
            _ = try Self.definition(step)
            Issue.record("loaded: \(step)")
        } catch {
            #expect("\(error)".contains(says), "\(error)")
        }
    }

    @Test("inputSchema: a valid JSON Schema is kept in the graph (and its hash); an invalid one is refused")
    func inputSchema() throws {
        let text = "name: x\nstart: a\ninputSchema: { type: object }\nexecutors:\n  a: { kind: output }\n"
        let with = try Definition.parse(text, file: "x.yaml")
        let without = try Definition.parse("name: x\nstart: a\nexecutors:\n  a: { kind: output }\n", file: "x.yaml")
        #expect(with.workflow.inputSchema == ["type": "object"])
        #expect(with.graphHash != without.graphHash)
        do {
            _ = try Definition.parse("name: x\nstart: a\ninputSchema: { type: 7 }\nexecutors:\n  a: { kind: output }\n", file: "x.yaml")
            Issue.record("an invalid inputSchema loaded")
        } catch {
            #expect("\(error)".contains("inputSchema: invalid JSON Schema"), "\(error)")
        }
    }
}

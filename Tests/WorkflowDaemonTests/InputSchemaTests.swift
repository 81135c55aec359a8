import DaemonTestSupport
import Testing
import WorkflowJSON
import WorkflowProtocol
import WorkflowTestSupport

/// A definition's `inputSchema`: run.start refuses input that does not satisfy it, naming each
/// problem, and nothing starts.
@Suite("Daemon: input schemas")
struct InputSchemaTests {
    @Test("run.start with input that breaks the inputSchema is invalid params naming the problem (no run, no event); good input runs; definition.list shows the schema")
    func inputChecked() async throws {
        let daemon = try await DaemonProcess.started(definitions: ["greet.yaml": """
            name: greet
            start: hello
            inputSchema: { type: object, required: [name], properties: { name: { type: string, minLength: 1 } } }
            executors:
              hello: { kind: transform, expression: "join('', ['Hello, ', message.name])" }
            """])
        let client = try await daemon.client()
        let refused = try await client.error("run.start", ["instance": "g", "definition": "greet", "input": ["name": 5]])
        #expect(refused.code == .invalidParams)
        #expect(refused.message.contains("inputSchema of 'greet'") && refused.message.contains("/name"), "\(refused)")
        #expect(refused.data?["problems"]?.arrayValue?.count == 1)
        let runs = try await client.result("run.list", ["instance": "g"])["runs"]?.arrayValue ?? []
        #expect(runs.isEmpty)
        let ok = try await client.result("run.start", ["instance": "g", "input": ["name": "Ada"], "wait": true])
        #expect(ok["status"] == "idle")
        let listed = try await client.result("definition.list")["definitions"]?.arrayValue?.first
        #expect(listed?["inputSchema"]?["required"] == ["name"])
        _ = daemon.pid  // the daemon lives until here
    }
}

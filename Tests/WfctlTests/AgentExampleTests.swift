import DaemonTestSupport
import Foundation
import ModelTestServer
import Testing
import WorkflowJSON

/// The agent example (Contrib/examples/agent.yaml) through wfctl alone, against the
/// OpenAI-compatible test server: tokens stream in `run --follow`, a person approves the
/// publishing tool's call in the middle, the run ends with the model's last answer.
@Suite("wfctl: the agent example")
struct AgentExampleTests {
    @Test("wfctl run agent --follow streams the model's text, stops for the approval of publish; respond --follow publishes and ends the run")
    func agentExample() async throws {
        let server = try await ModelServer.started()
        defer { Task { await server.stop() } }
        server.enqueue(
            .answer(Answer(pieces: ["Checking ", "the style."], toolCalls: [.init(id: "call_s", name: "style", arguments: "{}")])),
            .answer(Answer(pieces: ["Here is the post."],
                           toolCalls: [.init(id: "call_p", name: "publish", arguments: #"{"title":"Tide pools","body":"Small worlds at low tide."}"#)])),
            .answer(["Published ", "\"Tide pools\"", "."], promptTokens: 90, completionTokens: 6))
        let daemon = try DaemonProcess(definitions: [:])
        let example = try String(contentsOf: WfctlTests.repository.appendingPathComponent("Contrib/examples/agent.yaml"), encoding: .utf8)
        try daemon.writeDefinition("agent.yaml", example.replacingOccurrences(of: "http://127.0.0.1:8080/v1", with: server.baseURL))
        try await daemon.start()
        let wfctl = Wfctl(socket: daemon.socket)

        var outcome = try await wfctl.run(["run", "agent", "--input", #"{"topic": "tide pools"}"#, "--follow"])
        #expect(outcome.status == 4, "waiting for a person: \(outcome)")
        #expect(outcome.stdout.contains("✎ writer: Checking the style.\n"), "\(outcome.stdout)")
        #expect(outcome.stdout.contains("✎ writer: Here is the post.\n"))
        #expect(outcome.stdout.contains("calls publish({\"body\":\"Small worlds at low tide.\",\"title\":\"Tide pools\"})"), "\(outcome.stdout)")
        #expect(outcome.stdout.contains("The model asks to call publish"))
        let requests = try #require(try await wfctl.run(["pending", "agent", "--json"]).json()["requests"]?.arrayValue)
        let id = try #require(requests.first?["id"]?.stringValue)
        #expect(requests.first?["payload"]?["arguments"]?["title"] == "Tide pools")

        outcome = try await wfctl.run(["respond", "agent", id, #"{"approve": true, "arguments": {"title": "Tide pools", "body": "Small worlds, twice a day."}}"#, "--follow"])
        #expect(outcome.status == 0, "\(outcome)")
        #expect(outcome.stdout.contains("✎ writer: Published \"Tide pools\".\n"), "\(outcome.stdout)")
        #expect(outcome.stdout.contains("⇒ output from done"))
        let runs = try await wfctl.run(["runs", "agent", "--json"]).json()
        let output = try #require(runs["runs"]?.arrayValue?.first?["outputs"]?[0])
        #expect(output["content"] == "Published \"Tide pools\".")
        #expect(output["toolCalls"]?[1]?["result"] == ["published": "Tide pools", "characters": 26])
        #expect(server.requests.allSatisfy { $0.problems.isEmpty })

        // --json: one line per event, the live deltas among them.
        let events = try await wfctl.run(["events", "agent", "--json"]).json()["events"]?.arrayValue ?? []
        #expect(events.contains { $0["type"] == "llm_message" } && !events.contains { $0["type"] == "llm_delta" })
    }
}

typealias Answer = ModelServer.Answer

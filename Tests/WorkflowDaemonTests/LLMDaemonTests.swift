import DaemonTestSupport
import Foundation
import ModelTestServer
import Testing
import WorkflowJSON
import WorkflowProtocol
import WorkflowTestSupport

/// The `llm` kind against the OpenAI-compatible test server on loopback: the real daemon, real
/// HTTP, real server-sent events.
@Suite("Daemon: llm steps")
struct LLMDaemonTests {
    static let key = "sk-test-" + String(UInt64.random(in: 0..<UInt64.max), radix: 36)

    /// A started daemon whose definitions directory has `text`, and the key file it names.
    static func daemon(_ text: String) async throws -> (DaemonProcess, TestClient, String) {
        let daemon = try DaemonProcess(definitions: [:])
        let keyFile = daemon.directory + "/api-key"
        try "  \(key)\n".write(toFile: keyFile, atomically: true, encoding: .utf8)
        try daemon.writeDefinition("agent.yaml", text.replacingOccurrences(of: "KEYFILE", with: keyFile))
        try await daemon.start()
        return (daemon, try await daemon.client(), keyFile)
    }

    /// Answers a request and waits for the run it goes to.
    static func respond(_ client: TestClient, _ instance: String, _ id: JSON, _ response: JSON) async throws -> JSON {
        let accepted = try await client.result("request.respond", ["instance": .string(instance), "requestId": id, "response": response])
        return try await client.result("run.wait", ["instance": .string(instance), "runId": accepted["runId"] ?? nil])
    }

    @Test("a streamed answer: llm_delta events reach live subscribers in order but are not in the log; the llm_message and the final message are; the request has the published shape, the key only in its Authorization header")
    func streamingDeltasLiveNotLogged() async throws {
        let server = try await ModelServer.started()
        defer { Task { await server.stop() } }
        server.enqueue(.answer(["Hel", "lo, ", "world"]))
        let (daemon, client, _) = try await Self.daemon("""
            name: agent
            start: draft
            executors:
              draft:
                kind: llm
                baseURL: \(server.baseURL)
                model: test-model
                apiKeyFile: KEYFILE
                temperature: 0.2
                maxTokens: 100
                messages:
                  - { role: system, content: "'You write one line.'" }
                  - { role: user, content: "join('', ['Say hello to ', message.name])" }
              done: { kind: output }
            edges:
              - { from: draft, to: done }
            """)
        _ = try await client.result("instance.create", ["name": "a", "definition": "agent"])
        _ = try await client.result("events.subscribe", ["instance": "a"])
        let started = try await client.result("run.start", ["instance": "a", "input": ["name": "Ada"], "wait": true])
        if started["status"] != "idle" {
            Issue.record("\(started) \(try await client.result("events.read", ["instance": "a", "afterSeq": 0]))")
            return
        }
        let live = try await client.events(until: { $0["type"] == "status" && $0["status"] == "idle" })
        let deltas = live.filter { $0["type"] == "llm_delta" }
        #expect(deltas.map { $0["content"] } == ["Hel", "lo, ", "world"])
        #expect(deltas.allSatisfy { $0["live"] == true && $0["executor"] == "draft" })
        let message = try #require(live.first { $0["type"] == "llm_message" })
        #expect(message["content"] == "Hello, world")
        #expect(message["usage"] == ["promptTokens": 11, "completionTokens": 7])
        #expect(message["finishReason"] == "stop")
        // Every delta came before the answer they make up.
        let lastDelta = try #require(live.lastIndex { $0["type"] == "llm_delta" })
        #expect(lastDelta < live.firstIndex { $0["type"] == "llm_message" }!)
        let output = try #require(live.first { $0["type"] == "output" })
        #expect(output["value"] == ["content": "Hello, world", "usage": ["promptTokens": 11, "completionTokens": 7]])

        // The log: the message, no delta, and seqs without a gap.
        let logged = try await client.result("events.read", ["instance": "a", "afterSeq": 0])["events"]?.arrayValue ?? []
        #expect(!logged.isEmpty)
        #expect(!logged.contains { $0["type"] == "llm_delta" })
        #expect(logged.contains { $0["type"] == "llm_message" && $0["content"] == "Hello, world" })
        let seqs = logged.compactMap { $0["seq"]?.intValue }
        #expect(seqs == Array(seqs.first!...seqs.last!))

        let request = try #require(server.requests.first)
        #expect(request.problems == [])
        #expect(request.headers["authorization"] == "Bearer \(Self.key)")
        #expect(request.body["stream"] == true && request.body["stream_options"]?["include_usage"] == true)
        #expect(request.body["model"] == "test-model" && request.body["temperature"] == 0.2 && request.body["max_tokens"] == 100)
        #expect(request.body["messages"] == [["role": "system", "content": "You write one line."], ["role": "user", "content": "Say hello to Ada"]])
        // The key: never in an event, the daemon's log or its database.
        #expect(!live.contains { $0.serialized().contains(Self.key) })
        #expect(!logged.contains { $0.serialized().contains(Self.key) })
        #expect(!daemon.log.contains(Self.key))
        if !DaemonProcess.storesInPostgres {
            let database = try Data(contentsOf: URL(fileURLWithPath: daemon.state + "/workflowd.sqlite"))
            #expect(database.range(of: Data(Self.key.utf8)) == nil)
        }
    }

    @Test("tools: a call becomes a message to its executor and the answer comes back as the tool result; a tool with approve: true asks a person first, whose edited arguments are what the tool gets; the final message lists the calls and sums the usage")
    func toolsAndApproval() async throws {
        let server = try await ModelServer.started()
        defer { Task { await server.stop() } }
        server.enqueue(.toolCalls([.init(id: "call_1", name: "lookup", arguments: #"{"topic":"swift"}"#)]),
                       .toolCalls([.init(id: "call_2", name: "publish", arguments: #"{"title":"Draft"}"#)]),
                       .answer(["Published."], promptTokens: 30, completionTokens: 3))
        let (daemon, client, _) = try await Self.daemon("""
            name: agent
            start: writer
            executors:
              writer:
                kind: llm
                baseURL: \(server.baseURL)
                model: test-model
                messages: "[{role: 'user', content: message}]"
                tools:
                  - executor: lookup
                    description: Finds facts about a topic.
                    parameters: { type: object, properties: { topic: { type: string } }, required: [topic] }
                  - executor: publish
                    approve: true
                    parameters: { type: object, properties: { title: { type: string } }, required: [title] }
              lookup: { kind: transform, expression: "join('', ['facts about ', message.topic])" }
              publish: { kind: transform, expression: "{published: message.title}" }
              done: { kind: output }
            edges:
              - { from: writer, to: done }
            """)
        _ = try await client.result("instance.create", ["name": "t", "definition": "agent"])
        let first = try await client.result("run.start", ["instance": "t", "input": "write about swift", "wait": true])
        #expect(first["status"] == "idle_with_pending_requests", "\(first)")
        let pending = try await client.result("request.list", ["instance": "t"])["requests"]?.arrayValue ?? []
        let approval = try #require(pending.first)
        #expect(approval["payload"]?["tool"] == "publish")
        #expect(approval["payload"]?["arguments"] == ["title": "Draft"])
        #expect(approval["schema"]?["properties"]?["arguments"]?["required"] == ["title"])
        // An answer that breaks the tool's parameters is refused, the request stays open.
        let refused = try await client.error("request.respond", ["instance": "t", "requestId": approval["id"]!, "response": ["approve": true, "arguments": ["title": 5]]])
        #expect(refused.message.contains("title"), "\(refused)")
        let answered = try await Self.respond(client, "t", approval["id"]!, ["approve": true, "arguments": ["title": "Final"]])
        #expect(answered["status"] == "idle", "\(answered)")
        let outputs = answered["outputs"]?.arrayValue ?? []
        let final = try #require(outputs.first)
        #expect(final["content"] == "Published.")
        #expect(final["usage"] == ["promptTokens": 70, "completionTokens": 13])
        #expect(final["toolCalls"] == [
            ["id": "call_1", "name": "lookup", "arguments": ["topic": "swift"], "result": "facts about swift"],
            ["id": "call_2", "name": "publish", "arguments": ["title": "Final"], "result": ["published": "Final"]],
        ])
        let requests = server.requests
        #expect(requests.count == 3)
        #expect(requests.allSatisfy { $0.problems.isEmpty }, "\(requests.map(\.problems))")
        #expect(requests[0].body["tools"]?.arrayValue?.map { $0["function"]?["name"] } == ["lookup", "publish"])
        #expect(requests[0].headers["authorization"] == nil)
        let second = requests[1].body["messages"]?.arrayValue ?? []
        #expect(second.last == ["role": "tool", "tool_call_id": "call_1", "content": "facts about swift"])
        let third = requests[2].body["messages"]?.arrayValue ?? []
        #expect(third.last == ["role": "tool", "tool_call_id": "call_2", "content": #"{"published":"Final"}"#])

        // Usage in the metrics, by definition and step.
        let metrics = try await client.result("daemon.metrics")["text"]?.stringValue ?? ""
        #expect(metrics.contains(#"workflowd_llm_calls_total{definition="agent",executor="writer"} 3"#), "\(metrics)")
        #expect(metrics.contains(#"workflowd_llm_tokens_total{definition="agent",executor="writer",type="prompt"} 70"#))
        #expect(metrics.contains(#"workflowd_llm_tokens_total{definition="agent",executor="writer",type="completion"} 13"#))

        // Refused: the model is told why, and the tool never runs.
        server.enqueue(.toolCalls([.init(id: "call_3", name: "publish", arguments: #"{"title":"Again"}"#)]), .answer(["Understood."]))
        let again = try await client.result("run.start", ["instance": "t", "input": "publish again", "wait": true])
        #expect(again["status"] == "idle_with_pending_requests")
        let open = try #require(try await client.result("request.list", ["instance": "t"])["requests"]?.arrayValue?.first)
        let ended = try await Self.respond(client, "t", open["id"]!, ["approve": false, "reason": "not today"])
        #expect(ended["outputs"]?[0]?["content"] == "Understood.")
        #expect(server.requests.last?.body["messages"]?.arrayValue?.last?["content"] == "A person refused this call: not today")
        _ = daemon.pid  // the daemon lives until here
    }

    @Test("429 with Retry-After is retried after the time it asks (executor_retrying), a 500 too; a 400 fails at once with the server's message; a malformed chunk is retried; a hang ends at the step's timeout")
    func retriesAndFailures() async throws {
        let server = try await ModelServer.started()
        defer { Task { await server.stop() } }
        let (daemon, client, _) = try await Self.daemon("""
            name: agent
            start: draft
            executors:
              draft:
                kind: llm
                baseURL: \(server.baseURL)
                model: test-model
                timeout: 30s
                retry: { attempts: 4, backoff: 100ms, factor: 1 }
                messages: [{ role: user, content: message }]
            """)
        // A step that gives the model one second, twice (the rest of the test allows for a slow machine).
        try daemon.writeDefinition("hang.yaml", """
            name: hang
            start: draft
            executors:
              draft:
                kind: llm
                baseURL: \(server.baseURL)
                model: test-model
                timeout: 1s
                retry: { attempts: 2, backoff: 100ms }
                messages: [{ role: user, content: message }]
            """)
        _ = try await client.result("daemon.reload")
        _ = try await client.result("instance.create", ["name": "r", "definition": "agent"])
        _ = try await client.result("events.subscribe", ["instance": "r"])
        server.enqueue(.error(status: 429, message: "Rate limit reached", retryAfter: "1"), .error(status: 503, message: "overloaded"),
                       .malformed(pieces: ["par"]), .answer(["ok"]))
        let ok = try await client.result("run.start", ["instance": "r", "input": "hi", "wait": true])
        #expect(ok["status"] == "idle", "\(ok)")
        let events = try await client.events(until: { $0["type"] == "status" && $0["status"] == "idle" })
        let retrying = events.filter { $0["type"] == "executor_retrying" }
        #expect(retrying.count == 3)
        #expect(retrying.first?["error"]?.stringValue?.contains("429") == true)
        #expect(retrying.first?["error"]?.stringValue?.contains("Rate limit reached") == true)
        #expect((retrying.first?["delayMs"]?.intValue ?? 0) >= 1000, "Retry-After: 1 is honoured")
        #expect(retrying[2]["error"]?.stringValue?.contains("malformed") == true)
        #expect(server.requests.count == 4)

        server.enqueue(.error(status: 400, message: "Unsupported parameter: 'foo'"))
        let bad = try await client.result("run.start", ["instance": "r", "input": "hi", "wait": true])
        #expect(bad["status"] == "failed")
        #expect(bad["error"]?["message"]?.stringValue?.contains("400") == true)
        #expect(bad["error"]?["message"]?.stringValue?.contains("Unsupported parameter") == true)
        #expect(server.requests.count == 5, "a 400 is not retried")

        server.enqueue(.hang, .hang)
        let hung = try await client.result("run.start", ["instance": "h", "definition": "hang", "input": "hi", "wait": true], timeout: .seconds(90))
        #expect(hung["status"] == "failed")
        #expect(hung["error"]?["message"]?.stringValue?.contains("did not answer within 1 s") == true, "\(hung)")
        #expect(hung["error"]?["details"]?["failure"] == "timeout")
        // Tried twice (the server may not have read the second request before the step gave up
        // on it, on a loaded machine: the events say what the step did).
        let hangEvents = try await client.result("events.read", ["instance": "h", "afterSeq": 0])["events"]?.arrayValue ?? []
        let hangRetries = hangEvents.filter { $0["type"] == "executor_retrying" }
        #expect(hangRetries.count == 1 && hangRetries.first?["error"]?.stringValue?.contains("did not answer within 1 s") == true, "\(hangEvents)")
        _ = daemon.pid
    }

    @Test("stream: false and a responseSchema: the request asks for json_schema, no delta is sent, and the final content is the parsed JSON; an answer that is not JSON fails the step")
    func wholeAnswerWithSchema() async throws {
        let server = try await ModelServer.started()
        defer { Task { await server.stop() } }
        server.enqueue(.answer([#"{"verdict": "#, #""yes"}"#]))
        let (daemon, client, _) = try await Self.daemon("""
            name: agent
            start: judge
            executors:
              judge:
                kind: llm
                baseURL: \(server.baseURL)
                model: test-model
                stream: false
                retry: { attempts: 1 }
                responseSchema: { type: object, properties: { verdict: { enum: [yes, no] } }, required: [verdict] }
                messages: [{ role: user, content: message }]
            """)
        _ = try await client.result("instance.create", ["name": "j", "definition": "agent"])
        _ = try await client.result("events.subscribe", ["instance": "j"])
        let run = try await client.result("run.start", ["instance": "j", "input": "is it?", "wait": true])
        #expect(run["status"] == "idle")
        let events = try await client.events(until: { $0["type"] == "status" && $0["status"] == "idle" })
        #expect(!events.contains { $0["type"] == "llm_delta" })
        #expect(events.first { $0["type"] == "llm_message" }?["content"] == #"{"verdict": "yes"}"#)
        let request = try #require(server.requests.first)
        #expect(request.problems == [])
        #expect(request.body["stream"] == nil)
        #expect(request.body["response_format"]?["type"] == "json_schema")
        #expect(request.body["response_format"]?["json_schema"]?["schema"]?["required"] == ["verdict"])
        // A step without edges of its own: its final message is the run's output.
        #expect(run["outputs"] == [["content": ["verdict": "yes"], "usage": ["promptTokens": 11, "completionTokens": 7]]], "\(run)")
        #expect(!events.contains { $0["type"] == "warning" })

        server.enqueue(.answer(["not json"]))
        let failed = try await client.result("run.start", ["instance": "j", "input": "is it?", "wait": true])
        #expect(failed["status"] == "failed")
        #expect(failed["error"]?["message"]?.stringValue?.contains("not the JSON its responseSchema asks for") == true)
        _ = daemon.pid
    }

    @Test("a key from $CREDENTIALS_DIRECTORY (apiKeyCredential) is sent; a missing credential fails the step naming it, without retrying")
    func credentialKey() async throws {
        let server = try await ModelServer.started()
        defer { Task { await server.stop() } }
        server.enqueue(.answer(["hi"]))
        let daemon = try DaemonProcess(definitions: [:])
        let credentials = daemon.directory + "/credentials"
        try FileManager.default.createDirectory(atPath: credentials, withIntermediateDirectories: true)
        try "\(Self.key)\n".write(toFile: credentials + "/openai", atomically: true, encoding: .utf8)
        try daemon.writeDefinition("agent.yaml", """
            name: agent
            start: draft
            executors:
              draft: { kind: llm, baseURL: "\(server.baseURL)", model: m, apiKeyCredential: openai, messages: [{ role: user, content: message }] }
              other: { kind: llm, baseURL: "\(server.baseURL)", model: m, apiKeyCredential: missing, messages: [{ role: user, content: message }] }
            edges:
              - { from: draft, to: other }
            """)
        try await daemon.start(environment: ["CREDENTIALS_DIRECTORY": credentials])
        let client = try await daemon.client()
        let run = try await client.result("run.start", ["instance": "c", "definition": "agent", "input": "hi", "wait": true])
        #expect(server.requests.first?.headers["authorization"] == "Bearer \(Self.key)")
        #expect(run["status"] == "failed")
        #expect(run["error"]?["message"]?.stringValue?.contains("cannot read the API key file \(credentials)/missing") == true, "\(run)")
        #expect(server.requests.count == 1)
        #expect(!daemon.log.contains(Self.key))
    }

    @Test("conversation: the turns are kept in shared state and given back after the system messages on the next run; maxToolRounds bounds a model that keeps calling tools")
    func conversationAndToolRounds() async throws {
        let server = try await ModelServer.started()
        defer { Task { await server.stop() } }
        server.enqueue(.answer(["First answer."]), .answer(["Second answer."]))
        let (daemon, client, _) = try await Self.daemon("""
            name: agent
            start: chat
            executors:
              chat:
                kind: llm
                baseURL: \(server.baseURL)
                model: test-model
                conversation: history
                maxToolRounds: 2
                tools: [{ executor: echo }]
                messages:
                  - { role: system, content: "'Be brief.'" }
                  - { role: user, content: message }
              echo: { kind: transform, expression: "message" }
              done: { kind: output }
            edges:
              - { from: chat, to: done }
            """)
        _ = try await client.result("instance.create", ["name": "c", "definition": "agent"])
        _ = try await client.result("run.start", ["instance": "c", "input": "one", "wait": true])
        let second = try await client.result("run.start", ["instance": "c", "input": "two", "wait": true])
        #expect(second["outputs"]?[0]?["content"] == "Second answer.")
        #expect(server.requests.last?.body["messages"] == [
            ["role": "system", "content": "Be brief."], ["role": "user", "content": "one"], ["role": "assistant", "content": "First answer."],
            ["role": "user", "content": "two"],
        ])
        // What another step wrote under the conversation's key is not overwritten: the step says so.
        let script = daemon.directory + "/clobber.sh"
        try """
            #!/bin/sh
            echo '{"setState": {"history": "not a list"}}'
            echo '{"send": 1}'
            """.write(toFile: script, atomically: true, encoding: .utf8)
        #expect(chmod(script, 0o755) == 0)
        try daemon.writeDefinition("clobber.yaml", """
            name: clobber
            start: writer
            executors:
              writer: { kind: exec, command: [\(script)] }
              chat:
                kind: llm
                baseURL: \(server.baseURL)
                model: test-model
                conversation: history
                messages: [{ role: user, content: "'hi'" }]
            edges:
              - { from: writer, to: chat }
            """)
        _ = try await client.result("daemon.reload")
        let clobbered = try await client.result("run.start", ["instance": "x", "definition": "clobber", "input": 1, "wait": true])
        #expect(clobbered["status"] == "failed")
        #expect(clobbered["error"]?["message"]?.stringValue?.contains("shared state 'history' (its conversation) holds string") == true, "\(clobbered)")
        #expect(server.requests.count == 2, "the model is not asked")
        let call: ModelServer.Answer.ToolCall = .init(id: "again", name: "echo", arguments: "{}")
        server.enqueue(.toolCalls([call]), .toolCalls([call]), .toolCalls([call]))
        let looping = try await client.result("run.start", ["instance": "c", "input": "loop", "wait": true])
        #expect(looping["status"] == "failed")
        #expect(looping["error"]?["message"]?.stringValue?.contains("asked for tools 3 rounds in a row (maxToolRounds is 2)") == true, "\(looping)")
        _ = daemon.pid
    }

    @Test("a conversation waiting for an approval survives kill -9: after the restart the answer goes to the restored step, the tool runs, and the model gets the whole conversation with both results")
    func conversationSurvivesKill9() async throws {
        let server = try await ModelServer.started()
        defer { Task { await server.stop() } }
        server.enqueue(.toolCalls([.init(id: "call_a", name: "lookup", arguments: #"{"topic":"tides"}"#),
                                   .init(id: "call_b", name: "publish", arguments: #"{"title":"Tides"}"#)]),
                       .answer(["Done."]))
        let (daemon, client, _) = try await Self.daemon("""
            name: agent
            start: writer
            executors:
              writer:
                kind: llm
                baseURL: \(server.baseURL)
                model: test-model
                messages: [{ role: user, content: message }]
                tools:
                  - { executor: lookup }
                  - { executor: publish, approve: true }
              lookup: { kind: transform, expression: "join('', ['about ', message.topic])" }
              publish: { kind: transform, expression: "{published: message.title}" }
              done: { kind: output }
            edges:
              - { from: writer, to: done }
            """)
        _ = try await client.result("instance.create", ["name": "k", "definition": "agent"])
        let first = try await client.result("run.start", ["instance": "k", "input": "go", "wait": true])
        #expect(first["status"] == "idle_with_pending_requests", "\(first)")
        let request = try #require(try await client.result("request.list", ["instance": "k"])["requests"]?.arrayValue?.first)
        await client.close()
        await daemon.kill9()
        try await daemon.start()
        let again = try await daemon.client()
        let ended = try await Self.respond(again, "k", request["id"]!, ["approve": true])
        #expect(ended["status"] == "idle", "\(ended)")
        #expect(ended["outputs"]?[0]?["toolCalls"]?.arrayValue?.map { $0["result"] } == ["about tides", ["published": "Tides"]])
        let messages = server.requests.last?.body["messages"]?.arrayValue ?? []
        #expect(messages.map { $0["role"]?.stringValue ?? "" } == ["user", "assistant", "tool", "tool"])
        #expect(messages.last?["tool_call_id"] == "call_b" && messages[2]["tool_call_id"] == "call_a")
        #expect(server.requests.count == 2)
    }

    @Test("a message that arrives while a conversation waits for an approval waits its turn: once the approval is answered the first turn ends, then the second is asked, in order")
    func queuedTurn() async throws {
        let server = try await ModelServer.started()
        defer { Task { await server.stop() } }
        server.enqueue(.toolCalls([.init(id: "call_1", name: "publish", arguments: #"{"title":"One"}"#)]), .answer(["First."]), .answer(["Second."]))
        let (daemon, client, _) = try await Self.daemon("""
            name: agent
            start: writer
            executors:
              writer:
                kind: llm
                baseURL: \(server.baseURL)
                model: test-model
                messages: [{ role: user, content: message }]
                tools: [{ executor: publish, approve: true }]
              publish: { kind: transform, expression: "{published: message.title}" }
            """)
        _ = try await client.result("instance.create", ["name": "q", "definition": "agent"])
        let first = try await client.result("run.start", ["instance": "q", "input": "one", "wait": true])
        #expect(first["status"] == "idle_with_pending_requests")
        let second = try await client.result("run.start", ["instance": "q", "input": "two", "wait": true])
        #expect(second["status"] == "idle_with_pending_requests", "the second message waits behind the first: \(second)")
        #expect(server.requests.count == 1)
        let request = try #require(try await client.result("request.list", ["instance": "q"])["requests"]?.arrayValue?.first)
        let ended = try await Self.respond(client, "q", request["id"]!, ["approve": true])
        #expect(ended["outputs"]?.arrayValue?.map { $0["content"] } == ["First.", "Second."], "\(ended)")
        #expect(server.requests.count == 3)
        #expect(server.requests.last?.body["messages"] == [["role": "user", "content": "two"]])
        _ = daemon.pid
    }
}

import MCP
import WorkflowClient
import WorkflowGraph
import WorkflowJSON
import WorkflowProtocol

/// What `wfctl mcp` offers: each tool decodes its arguments, makes one or two calls to the
/// daemon, and answers with the result as JSON text (and as structured content). A daemon error
/// is the tool's error result (`isError`), naming what is wrong, as MCP asks.
struct MCPTools: Sendable {
    let client: WorkflowClient

    static func objectOf(_ properties: JSONObject, _ required: [String]) -> JSON {
        ["type": "object", "properties": .object(properties), "required": .array(required.map(JSON.string)), "additionalProperties": false]
    }
    static let instanceProperty: JSON = ["type": "string", "description": "The instance's name."]

    /// The fixed tools.
    static let fixed: [Tool] = [
        tool("list_definitions", "The workflow definitions the daemon has loaded: name, description, start, executors and their kinds.",
             objectOf([:], []), readOnly: true),
        tool("list_instances", "The workflow instances you may see, with their status (idle, in_progress, idle_with_pending_requests, waiting, failed, cancelled).",
             objectOf(["definition": ["type": "string", "description": "Only instances of this definition."]], []), readOnly: true),
        tool("get_instance", "One instance: its status, definition, open requests, waits and head checkpoint.",
             objectOf(["instance": instanceProperty], ["instance"]), readOnly: true),
        tool("start_run", "Starts a run on an instance (created from `definition` if it does not exist) and waits up to waitSeconds for its outcome: status, outputs, open requests.",
             objectOf(["instance": instanceProperty,
                       "definition": ["type": "string", "description": "Create the instance from this definition when it does not exist."],
                       "input": ["description": "The run's input (any JSON)."],
                       "waitSeconds": ["type": "number", "minimum": 0, "maximum": 600, "description": "How long to wait for the outcome (default 60; 0: do not wait)."]],
                      ["instance"]), readOnly: false),
        tool("get_run", "A run's outcome: status, outputs, open requests, error. Without runId, the instance's latest run.",
             objectOf(["instance": instanceProperty, "runId": ["type": "string"]], ["instance"]), readOnly: true),
        tool("read_events", "An instance's events from its log, oldest first: what each step did, outputs, requests, model answers.",
             objectOf(["instance": instanceProperty, "afterSeq": ["type": "integer", "minimum": 0, "description": "Only events after this seq."],
                       "limit": ["type": "integer", "minimum": 1, "maximum": 500, "description": "At most this many (default 100)."]],
                      ["instance"]), readOnly: true),
        tool("list_requests", "What waits for a person: every open request you may answer, with its prompt and payload, the JSON Schema an answer must satisfy, and the tool that answers it.",
             objectOf(["instance": ["type": "string", "description": "Only this instance's requests."]], []), readOnly: true),
        tool("answer_request", "Answers an open request; `response` must satisfy the request's schema (see list_requests). The run goes on with it.",
             objectOf(["instance": instanceProperty, "requestId": ["type": "string"], "response": ["description": "The answer."]],
                      ["instance", "requestId", "response"]), readOnly: false),
    ]

    static func tool(_ name: String, _ description: String, _ schema: JSON, readOnly: Bool) -> Tool {
        Tool(name: name, description: description, inputSchema: MCPValue.from(schema),
             annotations: .init(readOnlyHint: readOnly, destructiveHint: false, openWorldHint: false))
    }

    // MARK: Listing

    func list() async throws -> [Tool] {
        var tools = Self.fixed
        let open = (try? await client.requests()) ?? []
        for request in open.prefix(WorkflowMCPServer.requestToolLimit) {
            tools.append(Self.answerTool(request))
        }
        return tools
    }

    /// The tool that answers one request: its input schema is the request's (an object schema
    /// as it is; any other wrapped as `{response: …}`).
    static func answerTool(_ request: RequestInfo) -> Tool {
        let prompt = request.payload["prompt"]?.stringValue ?? "A step asks for an answer."
        let description = "\(prompt) (instance \(request.instance), step \(request.executor), request \(request.id)). Payload: \(request.payload.serialized().prefix(1500))"
        return Tool(name: "answer_" + request.id, description: description, inputSchema: MCPValue.from(inputSchema(for: request.schema)),
                    annotations: .init(title: "Answer: \(prompt.prefix(60))", readOnlyHint: false, destructiveHint: false, openWorldHint: false))
    }

    static func inputSchema(for schema: JSON) -> JSON {
        if schema["type"]?.stringValue == "object" { return schema }
        return ["type": "object", "properties": ["response": schema], "required": ["response"], "additionalProperties": false]
    }

    // MARK: Calling

    func call(_ name: String, arguments: JSONObject) async -> CallTool.Result {
        do {
            let result = try await perform(name, arguments)
            let structured: Value? = result.objectValue != nil ? MCPValue.from(result) : nil
            return CallTool.Result(content: [.text(text: result.serialized(), annotations: nil, _meta: nil)],
                                   structuredContent: structured, isError: false, _meta: nil)
        } catch {
            let message = (error as? WorkflowClientError)?.message ?? (error as? ToolError)?.message ?? "\(error)"
            let none: Value? = nil
            return CallTool.Result(content: [.text(text: message, annotations: nil, _meta: nil)], structuredContent: none, isError: true, _meta: nil)
        }
    }

    private func perform(_ name: String, _ arguments: JSONObject) async throws -> JSON {
        func string(_ key: String) throws -> String {
            guard let value = arguments[key]?.stringValue, !value.isEmpty else { throw ToolError("'\(key)' is required (a string)") }
            return value
        }
        switch name {
        case "list_definitions":
            let result = try await client.call("definition.list", [:])
            return ["definitions": .array((result["definitions"]?.arrayValue ?? []).map { definition in
                var summary = definition.objectValue ?? [:]
                summary["document"] = nil
                return .object(summary)
            }), "errors": result["errors"] ?? []]
        case "list_instances":
            var params: JSONObject = [:]
            if let definition = arguments["definition"]?.stringValue { params["definition"] = .string(definition) }
            return try await client.call("instance.list", .object(params))
        case "get_instance":
            return try await client.call("instance.get", ["instance": .string(try string("instance"))])
        case "start_run":
            let instance = try string("instance")
            var params: JSONObject = ["instance": .string(instance), "input": arguments["input"] ?? .null]
            if let definition = arguments["definition"]?.stringValue { params["definition"] = .string(definition) }
            let started = try await client.call("run.start", .object(params))
            let wait = min(600, max(0, arguments["waitSeconds"]?.doubleValue ?? 60))
            guard wait > 0, let runId = started["runId"] else { return started }
            return try await client.call("run.wait", ["instance": .string(instance), "runId": runId, "timeoutMs": .number((wait * 1000).rounded())])
        case "get_run":
            let instance = try string("instance")
            if let runId = arguments["runId"]?.stringValue {
                return try await client.call("run.get", ["instance": .string(instance), "runId": .string(runId)])
            }
            let runs = try await client.call("run.list", ["instance": .string(instance), "limit": 1])
            guard let latest = runs["runs"]?.arrayValue?.first else { throw ToolError("instance \(instance) has no run yet") }
            return latest
        case "read_events":
            var params: JSONObject = ["instance": .string(try string("instance")),
                                      "limit": .number(Double(min(500, max(1, arguments["limit"]?.intValue ?? 100))))]
            if let after = arguments["afterSeq"]?.intValue { params["afterSeq"] = .number(Double(max(0, after))) }
            return try await client.call("events.read", .object(params))
        case "list_requests":
            let requests = try await client.requests(of: arguments["instance"]?.stringValue)
            return ["requests": .array(try requests.map { request in
                var json = try JSONValueEncoder().encode(request).objectValue ?? [:]
                json["answerWith"] = .string("answer_" + request.id)
                return .object(json)
            })]
        case "answer_request":
            return try await answer(instance: try string("instance"), requestId: try string("requestId"), response: arguments["response"] ?? .null)
        default:
            guard name.hasPrefix("answer_") else { throw ToolError("no tool named '\(name)' (list_tools shows them)") }
            let requestId = String(name.dropFirst("answer_".count))
            guard let request = try await client.requests().first(where: { $0.id == requestId }) else {
                throw ToolError("request \(requestId) is not open any more (answered, timed out, or not yours): list_requests shows what waits")
            }
            let response = request.schema["type"]?.stringValue == "object" ? JSON.object(arguments) : (arguments["response"] ?? .null)
            return try await answer(instance: request.instance, requestId: requestId, response: response)
        }
    }

    /// Answers and waits briefly for what the run does with it.
    private func answer(instance: String, requestId: String, response: JSON) async throws -> JSON {
        let accepted = try await client.call("request.respond", ["instance": .string(instance), "requestId": .string(requestId), "response": response])
        guard let runId = accepted["runId"] else { return accepted }
        let run = try await client.call("run.wait", ["instance": .string(instance), "runId": runId, "timeoutMs": 30_000])
        return ["accepted": true, "run": run]
    }

    // MARK: Resources

    func resources() async throws -> [Resource] {
        let listed = try await client.call("instance.list", ["limit": 200])
        var resources: [Resource] = []
        for instance in listed["instances"]?.arrayValue ?? [] {
            guard let name = instance["name"]?.stringValue else { continue }
            let status = instance["status"]?.stringValue ?? ""
            resources.append(Resource(name: name, uri: "workflowd://instances/\(name)", description: "Instance \(name) (\(status))",
                                      mimeType: "application/json"))
            resources.append(Resource(name: name + " graph", uri: "workflowd://instances/\(name)/graph",
                                      description: "Instance \(name)'s graph in Mermaid, with the steps of its last run marked",
                                      mimeType: "text/vnd.mermaid"))
        }
        return resources
    }

    func read(_ uri: String) async throws -> [Resource.Content] {
        let prefix = "workflowd://instances/"
        guard uri.hasPrefix(prefix) else { throw MCPError.invalidParams("unknown resource \(uri) (resources are workflowd://instances/NAME and workflowd://instances/NAME/graph)") }
        var name = String(uri.dropFirst(prefix.count))
        do {
            if name.hasSuffix("/graph") {
                name.removeLast("/graph".count)
                let result = try await client.graph(of: name)
                let state = GraphState(holding: result.holding, waiting: Set(result.waiting),
                                       invocations: result.lastRun?.invocations.map { .init(executor: $0.executor, superstep: $0.superstep) } ?? [],
                                       runId: result.lastRun?.runId, runStatus: result.lastRun?.status.rawValue, status: result.status.rawValue)
                let graph = WorkflowGraph(document: result.definition.document ?? [:], subDefinitions: result.subDefinitions)
                return [.text(GraphRenderer.render(graph, state: state, as: .mermaid), uri: uri, mimeType: "text/vnd.mermaid")]
            }
            let instance = try await client.call("instance.get", ["instance": .string(name)])
            return [.text(instance.serialized(), uri: uri, mimeType: "application/json")]
        } catch let error as WorkflowClientError {
            throw MCPError.invalidParams(error.message)
        }
    }
}

/// A tool's arguments are wrong.
struct ToolError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

import WorkflowClient
import WorkflowGraph
import WorkflowJSON
import WorkflowProtocol

/// What `wfctl mcp` offers: each tool reads its arguments, makes one or two calls to the daemon,
/// and answers with the result as JSON text (and as structured content). A daemon error is the
/// tool's error result (`isError`, the daemon's sentence), as MCP asks: the assistant reads it.
struct MCPTools {
    let daemon: DaemonLink

    /// The most open requests offered as tools of their own (the rest through `answer_request`).
    static let requestToolLimit = 50

    static func object(_ properties: JSONObject, _ required: [String]) -> JSON {
        ["type": "object", "properties": .object(properties), "required": .array(required.map(JSON.string)), "additionalProperties": false]
    }
    static let instanceProperty: JSON = ["type": "string", "description": "The instance's name."]

    static func tool(_ name: String, _ description: String, _ schema: JSON, readOnly: Bool) -> JSON {
        ["name": .string(name), "description": .string(description), "inputSchema": schema,
         "annotations": ["readOnlyHint": .bool(readOnly), "destructiveHint": false, "openWorldHint": false]]
    }

    /// The tools every session has.
    static let fixed: [JSON] = [
        tool("list_definitions", "The workflow definitions the daemon has loaded: name, description, start step, steps and their kinds, and the input schema where one is declared.",
             object([:], []), readOnly: true),
        tool("list_instances", "The workflow instances you may see, with their status (idle, in_progress, idle_with_pending_requests, waiting, failed, cancelled).",
             object(["definition": ["type": "string", "description": "Only instances of this definition."]], []), readOnly: true),
        tool("get_instance", "One instance: its status, definition, open requests, waits and head checkpoint.",
             object(["instance": instanceProperty], ["instance"]), readOnly: true),
        tool("start_run", "Starts a run on an instance (created from `definition` if it does not exist) and waits up to waitSeconds for its outcome: status, outputs, open requests. The input is checked against the definition's inputSchema where it has one.",
             object(["instance": instanceProperty,
                     "definition": ["type": "string", "description": "Create the instance from this definition when it does not exist."],
                     "input": ["description": "The run's input (any JSON; see the definition's inputSchema)."],
                     "waitSeconds": ["type": "number", "minimum": 0, "maximum": 600, "description": "How long to wait for the outcome (default 60; 0: do not wait)."]],
                    ["instance"]), readOnly: false),
        tool("get_run", "A run's outcome: status, outputs, open requests, error. Without runId, the instance's latest run.",
             object(["instance": instanceProperty, "runId": ["type": "string"]], ["instance"]), readOnly: true),
        tool("read_events", "An instance's events from its log, oldest first: what each step did, outputs, requests, the answers of models.",
             object(["instance": instanceProperty, "afterSeq": ["type": "integer", "minimum": 0, "description": "Only events after this seq."],
                     "limit": ["type": "integer", "minimum": 1, "maximum": 500, "description": "At most this many (default 100)."]],
                    ["instance"]), readOnly: true),
        tool("list_requests", "What waits for a person: every open request you may answer, with its prompt and payload, the JSON Schema an answer must satisfy, and the tool that answers it.",
             object(["instance": ["type": "string", "description": "Only this instance's requests."]], []), readOnly: true),
        tool("answer_request", "Answers an open request; `response` must satisfy the request's schema (see list_requests). The run goes on with it.",
             object(["instance": instanceProperty, "requestId": ["type": "string"], "response": ["description": "The answer."]],
                    ["instance", "requestId", "response"]), readOnly: false),
    ]

    // MARK: Listing

    /// The fixed tools, then one per open request.
    func list() -> [JSON] {
        let open = (try? daemon.call(RequestMethods.List.self, .init()).requests) ?? []
        return Self.fixed + open.prefix(Self.requestToolLimit).map(Self.answerTool)
    }

    /// The tool that answers one request: its input schema is the request's (an object schema
    /// as it is; any other wrapped as `{response: …}`, as MCP's input schemas are objects).
    static func answerTool(_ request: RequestInfo) -> JSON {
        let prompt = request.payload["prompt"]?.stringValue ?? "A step asks for an answer."
        let description = "\(prompt) (instance \(request.instance), step \(request.executor), request \(request.id)). Payload: \(request.payload.serialized().prefix(1500))"
        return ["name": .string("answer_" + request.id), "title": .string("Answer: " + prompt.prefix(60)), "description": .string(description),
                "inputSchema": inputSchema(for: request.schema),
                "annotations": ["readOnlyHint": false, "destructiveHint": false, "openWorldHint": false]]
    }

    static func inputSchema(for schema: JSON) -> JSON {
        if schema["type"]?.stringValue == "object" { return schema }
        return ["type": "object", "properties": ["response": schema], "required": ["response"], "additionalProperties": false]
    }

    // MARK: Calling

    /// A `tools/call` result.
    func call(_ name: String, arguments: JSONObject) -> JSON {
        do {
            let result = try perform(name, arguments)
            var answer: JSONObject = ["content": [["type": "text", "text": .string(result.serialized())]], "isError": false]
            if result.objectValue != nil { answer["structuredContent"] = result }
            return .object(answer)
        } catch {
            let message = (error as? WorkflowClientError)?.message ?? (error as? MCPFailure)?.message ?? "\(error)"
            return ["content": [["type": "text", "text": .string(message)]], "isError": true]
        }
    }

    private func perform(_ name: String, _ arguments: JSONObject) throws -> JSON {
        func string(_ key: String) throws -> String {
            guard let value = arguments[key]?.stringValue, !value.isEmpty else { throw MCPFailure(code: -32602, "'\(key)' is required (a string)") }
            return value
        }
        switch name {
        case "list_definitions":
            let result = try daemon.call("definition.list", [:])
            return ["definitions": .array((result["definitions"]?.arrayValue ?? []).map { definition in
                var summary = definition.objectValue ?? [:]
                summary["document"] = nil
                return .object(summary)
            }), "errors": result["errors"] ?? []]
        case "list_instances":
            var params: JSONObject = [:]
            if let definition = arguments["definition"]?.stringValue { params["definition"] = .string(definition) }
            return try daemon.call("instance.list", .object(params))
        case "get_instance":
            return try daemon.call("instance.get", ["instance": .string(try string("instance"))])
        case "start_run":
            let instance = try string("instance")
            var params: JSONObject = ["instance": .string(instance), "input": arguments["input"] ?? .null]
            if let definition = arguments["definition"]?.stringValue { params["definition"] = .string(definition) }
            let started = try daemon.call("run.start", .object(params))
            let wait = min(600, max(0, arguments["waitSeconds"]?.doubleValue ?? 60))
            guard wait > 0, let runId = started["runId"] else { return started }
            return try daemon.call("run.wait", ["instance": .string(instance), "runId": runId, "timeoutMs": .number((wait * 1000).rounded())])
        case "get_run":
            let instance = try string("instance")
            if let runId = arguments["runId"]?.stringValue {
                return try daemon.call("run.get", ["instance": .string(instance), "runId": .string(runId)])
            }
            let runs = try daemon.call("run.list", ["instance": .string(instance), "limit": 1])
            guard let latest = runs["runs"]?.arrayValue?.first else { throw MCPFailure(code: -32602, "instance \(instance) has no run yet") }
            return latest
        case "read_events":
            var params: JSONObject = ["instance": .string(try string("instance")),
                                      "limit": .number(Double(min(500, max(1, arguments["limit"]?.intValue ?? 100))))]
            if let after = arguments["afterSeq"]?.intValue { params["afterSeq"] = .number(Double(max(0, after))) }
            return try daemon.call("events.read", .object(params))
        case "list_requests":
            let requests = try daemon.call(RequestMethods.List.self, .init(instance: arguments["instance"]?.stringValue)).requests
            return ["requests": .array(try requests.map { request in
                var json = try JSONValueEncoder().encode(request).objectValue ?? [:]
                json["answerWith"] = .string("answer_" + request.id)
                return .object(json)
            })]
        case "answer_request":
            return try answer(instance: try string("instance"), requestId: try string("requestId"), response: arguments["response"] ?? .null)
        default:
            guard name.hasPrefix("answer_") else { throw MCPFailure(code: -32602, "no tool named '\(name)' (tools/list shows them)") }
            let requestId = String(name.dropFirst("answer_".count))
            let open = try daemon.call(RequestMethods.List.self, .init()).requests
            guard let request = open.first(where: { $0.id == requestId }) else {
                throw MCPFailure(code: -32602, "request \(requestId) is not open any more (answered, timed out, or not yours): list_requests shows what waits")
            }
            let response = request.schema["type"]?.stringValue == "object" ? JSON.object(arguments) : (arguments["response"] ?? .null)
            return try answer(instance: request.instance, requestId: requestId, response: response)
        }
    }

    /// Answers, then waits a little for what the run does with the answer.
    private func answer(instance: String, requestId: String, response: JSON) throws -> JSON {
        let accepted = try daemon.call("request.respond", ["instance": .string(instance), "requestId": .string(requestId), "response": response])
        guard let runId = accepted["runId"] else { return accepted }
        let run = try daemon.call("run.wait", ["instance": .string(instance), "runId": runId, "timeoutMs": 30_000])
        return ["accepted": true, "run": run]
    }

    // MARK: Resources

    func resources() throws -> [JSON] {
        let listed = try daemon.call("instance.list", ["limit": 200])
        var resources: [JSON] = []
        for instance in listed["instances"]?.arrayValue ?? [] {
            guard let name = instance["name"]?.stringValue else { continue }
            let status = instance["status"]?.stringValue ?? ""
            resources.append(["uri": .string("workflowd://instances/\(name)"), "name": .string(name),
                              "description": .string("Instance \(name) (\(status))"), "mimeType": "application/json"])
            resources.append(["uri": .string("workflowd://instances/\(name)/graph"), "name": .string(name + " graph"),
                              "description": .string("Instance \(name)'s graph in Mermaid, with the steps of its last run marked"),
                              "mimeType": "text/vnd.mermaid"])
        }
        return resources
    }

    func read(_ uri: String) throws -> [JSON] {
        let prefix = "workflowd://instances/"
        guard uri.hasPrefix(prefix), uri.count > prefix.count else {
            throw MCPFailure(code: -32602, "unknown resource \(uri) (resources are workflowd://instances/NAME and workflowd://instances/NAME/graph)")
        }
        var name = String(uri.dropFirst(prefix.count))
        do {
            if name.hasSuffix("/graph") {
                name.removeLast("/graph".count)
                let result = try daemon.call(InstanceMethods.Graph.self, .init(instance: name))
                let state = GraphState(holding: result.holding, waiting: Set(result.waiting),
                                       invocations: result.lastRun?.invocations.map { .init(executor: $0.executor, superstep: $0.superstep) } ?? [],
                                       runId: result.lastRun?.runId, runStatus: result.lastRun?.status.rawValue, status: result.status.rawValue)
                let graph = WorkflowGraph(document: result.definition.document ?? [:], subDefinitions: result.subDefinitions)
                return [["uri": .string(uri), "mimeType": "text/vnd.mermaid", "text": .string(GraphRenderer.render(graph, state: state, as: .mermaid))]]
            }
            let instance = try daemon.call("instance.get", ["instance": .string(name)])
            return [["uri": .string(uri), "mimeType": "application/json", "text": .string(instance.serialized())]]
        } catch {
            // MCP's "resource not found" is -32002. (Not `catch let … as … where`: the release
            // compiler crashes on that pattern here.)
            let clientError = error as? WorkflowClientError
            throw MCPFailure(code: clientError?.rpcCode == .instanceNotFound ? -32002 : -32603, clientError?.message ?? "\(error)")
        }
    }
}

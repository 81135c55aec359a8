import WorkflowJSON

/// The request shape of OpenAI's `POST /v1/chat/completions` as published (API reference,
/// "Create chat completion"), for the members workflowd sends: anything else, or anything of
/// the wrong type, is a problem.
package enum RequestShape {
    static func isName(_ text: String) -> Bool {
        (1...64).contains(text.utf8.count) && text.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }
    static let known: Set<String> = ["model", "messages", "stream", "stream_options", "temperature", "max_tokens", "max_completion_tokens",
                                     "response_format", "tools", "tool_choice", "parallel_tool_calls"]

    /// What is wrong with `body` (empty: nothing).
    package static func problems(_ body: JSON) -> [String] {
        guard let object = body.objectValue else { return ["the body is not a JSON object"] }
        var problems: [String] = []
        for key in object.keys.sorted() where !known.contains(key) { problems.append("unknown member '\(key)'") }
        if (object["model"]?.stringValue ?? "").isEmpty { problems.append("model must be a non-empty string") }
        var callIDs: Set<String> = []
        if let messages = object["messages"]?.arrayValue, !messages.isEmpty {
            for (index, message) in messages.enumerated() {
                problems += messageProblems(message, at: "messages[\(index)]", callIDs: &callIDs)
            }
        } else {
            problems.append("messages must be a non-empty array")
        }
        if let stream = object["stream"], stream.boolValue == nil { problems.append("stream must be a boolean") }
        if let options = object["stream_options"] {
            if object["stream"] != .bool(true) { problems.append("stream_options is only allowed with stream: true") }
            if options["include_usage"].map({ $0.boolValue == nil }) ?? false { problems.append("stream_options.include_usage must be a boolean") }
        }
        if let temperature = object["temperature"], !(temperature.doubleValue.map { $0 >= 0 && $0 <= 2 } ?? false) {
            problems.append("temperature must be a number from 0 to 2")
        }
        if let tokens = object["max_tokens"], !(tokens.intValue.map { $0 >= 1 } ?? false) { problems.append("max_tokens must be a positive integer") }
        if let format = object["response_format"] {
            switch format["type"]?.stringValue {
            case "text", "json_object": break
            case "json_schema":
                let name = format["json_schema"]?["name"]?.stringValue ?? ""
                if !isName(name) { problems.append("response_format.json_schema.name must match ^[a-zA-Z0-9_-]{1,64}$") }
                if format["json_schema"]?["schema"]?.objectValue == nil { problems.append("response_format.json_schema.schema must be an object") }
            default: problems.append("response_format.type must be text, json_object or json_schema")
            }
        }
        if let tools = object["tools"] {
            for (index, tool) in (tools.arrayValue ?? []).enumerated() {
                let at = "tools[\(index)]"
                if tool["type"] != "function" { problems.append("\(at).type must be 'function'") }
                if !isName(tool["function"]?["name"]?.stringValue ?? "") { problems.append("\(at).function.name must match ^[a-zA-Z0-9_-]{1,64}$") }
                if let description = tool["function"]?["description"], description.stringValue == nil { problems.append("\(at).function.description must be a string") }
                if let parameters = tool["function"]?["parameters"], parameters.objectValue == nil { problems.append("\(at).function.parameters must be an object") }
            }
            if tools.arrayValue == nil { problems.append("tools must be an array") }
        }
        return problems
    }

    private static func messageProblems(_ message: JSON, at path: String, callIDs: inout Set<String>) -> [String] {
        var problems: [String] = []
        let allowed: Set<String>
        switch message["role"]?.stringValue {
        case "system", "developer", "user":
            allowed = ["role", "content", "name"]
            if message["content"]?.stringValue == nil { problems.append("\(path).content must be a string") }
        case "assistant":
            allowed = ["role", "content", "name", "tool_calls", "refusal"]
            let calls = message["tool_calls"]?.arrayValue ?? []
            if message["content"]?.stringValue == nil && !(message["content"] == .null && !calls.isEmpty) {
                problems.append("\(path).content must be a string (or null with tool_calls)")
            }
            for (index, call) in calls.enumerated() {
                guard let id = call["id"]?.stringValue, call["type"] == "function", call["function"]?["name"]?.stringValue != nil,
                      call["function"]?["arguments"]?.stringValue != nil else {
                    problems.append("\(path).tool_calls[\(index)] must be {id, type: function, function: {name, arguments (a string)}}")
                    continue
                }
                callIDs.insert(id)
            }
        case "tool":
            allowed = ["role", "content", "tool_call_id"]
            if message["content"]?.stringValue == nil { problems.append("\(path).content must be a string") }
            if let id = message["tool_call_id"]?.stringValue {
                if !callIDs.contains(id) { problems.append("\(path).tool_call_id '\(id)' answers no earlier tool call") }
            } else {
                problems.append("\(path).tool_call_id must be a string")
            }
        default:
            return ["\(path).role must be system, developer, user, assistant or tool"]
        }
        for key in (message.objectValue ?? [:]).keys.sorted() where !allowed.contains(key) { problems.append("\(path) has unknown member '\(key)'") }
        return problems
    }
}

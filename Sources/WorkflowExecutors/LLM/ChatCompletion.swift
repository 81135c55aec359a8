import WorkflowEngine

/// One answer of an OpenAI-compatible Chat Completions endpoint, read from a whole response
/// (`chat.completion`) or assembled from a stream of `chat.completion.chunk`s.
package struct ChatCompletion: Sendable, Hashable {
    /// A call the model asks for.
    package struct ToolCall: Sendable, Hashable {
        package var id: String
        package var name: String
        /// The arguments as the model wrote them (JSON text, which may be malformed).
        package var arguments: String
    }

    package var model: String?
    package var content: String?
    package var toolCalls: [ToolCall] = []
    package var finishReason: String?
    package var promptTokens = 0
    package var completionTokens = 0

    /// The request body for `configuration` and `messages` (OpenAI's wire names).
    package static func requestBody(_ configuration: LLMConfiguration, messages: [JSON]) -> JSON {
        var body: JSONObject = ["model": .string(configuration.model), "messages": .array(messages)]
        if configuration.stream {
            body["stream"] = true
            // The last chunk then carries the usage (OpenAI, vLLM, llama.cpp, Ollama).
            body["stream_options"] = ["include_usage": true]
        }
        if let temperature = configuration.temperature { body["temperature"] = .number(temperature) }
        if let maxTokens = configuration.maxTokens { body["max_tokens"] = .number(Double(maxTokens)) }
        if let schema = configuration.responseSchema {
            body["response_format"] = ["type": "json_schema", "json_schema": ["name": "response", "schema": schema]]
        }
        if !configuration.tools.isEmpty {
            body["tools"] = .array(configuration.tools.map { tool in
                var function: JSONObject = ["name": .string(tool.name), "parameters": tool.parameters]
                if let description = tool.description { function["description"] = .string(description) }
                return ["type": "function", "function": .object(function)]
            })
        }
        return .object(body)
    }

    /// Reads a whole (non-streamed) response.
    package init(response json: JSON) throws(ChatCompletionError) {
        if let error = json["error"] { throw ChatCompletionError.malformed("the server answered with an error: \(Self.errorMessage(error))") }
        guard let choice = json["choices"]?.arrayValue?.first, let message = choice["message"], message.objectValue != nil else {
            throw ChatCompletionError.malformed("a response without choices[0].message")
        }
        model = json["model"]?.stringValue
        content = message["content"]?.stringValue
        finishReason = choice["finish_reason"]?.stringValue
        for (index, call) in (message["tool_calls"]?.arrayValue ?? []).enumerated() {
            guard let name = call["function"]?["name"]?.stringValue else {
                throw ChatCompletionError.malformed("tool_calls[\(index)] has no function.name")
            }
            toolCalls.append(ToolCall(id: call["id"]?.stringValue ?? "call_\(index)", name: name,
                                      arguments: Self.argumentsText(call["function"]?["arguments"])))
        }
        readUsage(json["usage"])
    }

    /// An empty answer that stream chunks are added to.
    package init() {}

    /// Adds one streamed chunk; returns the text it adds to the content (for `llm_delta`).
    package mutating func add(chunk json: JSON) throws(ChatCompletionError) -> String? {
        if let error = json["error"] { throw ChatCompletionError.malformed("the server sent an error in the stream: \(Self.errorMessage(error))") }
        guard json.objectValue != nil else { throw ChatCompletionError.malformed("a chunk that is not an object") }
        if let model = json["model"]?.stringValue { self.model = model }
        readUsage(json["usage"])
        guard let choice = json["choices"]?.arrayValue?.first else { return nil }
        if let reason = choice["finish_reason"]?.stringValue { finishReason = reason }
        guard let delta = choice["delta"] else { return nil }
        for (position, call) in (delta["tool_calls"]?.arrayValue ?? []).enumerated() {
            let index = call["index"]?.intValue ?? position
            guard index >= 0, index < 128 else { throw ChatCompletionError.malformed("a tool call index out of range (\(index))") }
            while toolCalls.count <= index { toolCalls.append(ToolCall(id: "", name: "", arguments: "")) }
            if let id = call["id"]?.stringValue { toolCalls[index].id = id }
            if let name = call["function"]?["name"]?.stringValue { toolCalls[index].name += name }
            if let arguments = call["function"]?["arguments"]?.stringValue { toolCalls[index].arguments += arguments }
        }
        guard let text = delta["content"]?.stringValue, !text.isEmpty else { return nil }
        content = (content ?? "") + text
        return text
    }

    /// Checks what a stream assembled (every tool call named).
    package mutating func finishStream() throws(ChatCompletionError) {
        for index in toolCalls.indices {
            if toolCalls[index].name.isEmpty { throw ChatCompletionError.malformed("streamed tool call \(index) has no name") }
            if toolCalls[index].id.isEmpty { toolCalls[index].id = "call_\(index)" }
        }
    }

    /// The assistant message to put back in the conversation.
    package var assistantMessage: JSON {
        var message: JSONObject = ["role": "assistant", "content": content.map(JSON.string) ?? .null]
        if !toolCalls.isEmpty {
            message["tool_calls"] = .array(toolCalls.map {
                ["id": .string($0.id), "type": "function", "function": ["name": .string($0.name), "arguments": .string($0.arguments)]]
            })
        }
        return .object(message)
    }

    private mutating func readUsage(_ usage: JSON?) {
        guard let usage, usage.objectValue != nil else { return }
        promptTokens = usage["prompt_tokens"]?.intValue ?? promptTokens
        completionTokens = usage["completion_tokens"]?.intValue ?? completionTokens
    }

    private static func argumentsText(_ value: JSON?) -> String {
        switch value {
        case .string(let text)?: text
        case nil, .null?: "{}"
        // Some servers send the arguments as an object rather than its text.
        case let other?: other.serialized()
        }
    }

    static func errorMessage(_ error: JSON) -> String {
        (error["message"]?.stringValue ?? error.stringValue ?? error.serialized()).prefix(500).description
    }
}

/// What is wrong with a server's answer.
package enum ChatCompletionError: Error, Sendable, Hashable, CustomStringConvertible {
    case malformed(String)
    package var description: String {
        switch self {
        case .malformed(let text): text
        }
    }
}

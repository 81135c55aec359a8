import JMESPath
import WorkflowEngine

/// `kind: llm`: a conversation with an OpenAI-compatible model (DESIGN.md §13).
///
/// A message starts a turn: the step builds the messages from `{message, state}`, asks the
/// model (streaming its text to live subscribers as `llm_delta`), and records each answer as an
/// `llm_message` event. When the model calls tools, each call becomes a message to the tool's
/// executor (or first a request for a person, for a tool with `approve: true`), and the step
/// waits: the tools' answers come back to it in later supersteps, and when the round is complete
/// it asks the model again with the results, until the model answers without tools. The final
/// message `{content, toolCalls?, usage}` goes on along the step's own edges.
///
/// Messages that arrive while a turn waits for its tools wait their turn (up to
/// ``queueLimit``); the conversation in progress is the step's snapshot.
struct LLMExecutor: Executor {
    let configuration: LLMConfiguration
    let executorID: String
    private var conversation: LLMConversation?
    private var queue: [JSON] = []

    static let queueLimit = 64

    init(configuration: LLMConfiguration, executorID: String) {
        self.configuration = configuration
        self.executorID = executorID
    }

    mutating func handle(_ message: JSON, context: inout ExecutorContext) async throws {
        if var current = conversation, let source = context.source,
           let index = current.pending.firstIndex(where: { $0.executor == source && $0.sent && $0.result == nil }) {
            current.pending[index].result = message
            conversation = current
            try await continueIfComplete(context: &context)
            return try await drainQueue(context: &context)
        }
        if conversation != nil {
            guard queue.count < Self.queueLimit else {
                throw WorkflowError(.executorFailed, "executor '\(executorID)': \(Self.queueLimit) messages already wait for the conversation in progress",
                                    details: ["final": true])
            }
            queue.append(message)
            return
        }
        try await start(message, context: &context)
    }

    mutating func handleResponse(_ response: JSON, to request: WorkflowRequest, context: inout ExecutorContext) async throws {
        guard var current = conversation, let index = current.pending.firstIndex(where: { $0.requestID == request.id }) else {
            context.warn("executor '\(executorID)': an answer to request \(request.id), which no tool call of the conversation waits for")
            return
        }
        current.pending[index].requestID = nil
        if response["approve"] == .bool(true) {
            let arguments = response["arguments"] ?? current.pending[index].arguments
            current.pending[index].arguments = arguments
            current.pending[index].sent = true
            if let tool = current.pending[index].executor { context.send(arguments, to: tool) }
        } else {
            let reason = response["reason"]?.stringValue.map { ": \($0)" } ?? ""
            current.pending[index].result = .string("A person refused this call\(reason)")
        }
        conversation = current
        try await continueIfComplete(context: &context)
        try await drainQueue(context: &context)
    }

    func snapshot() throws -> JSON {
        guard conversation != nil || !queue.isEmpty else { return .null }
        return ["conversation": conversation?.json ?? .null, "queue": .array(queue)]
    }

    mutating func restore(from snapshot: JSON) throws {
        if let saved = snapshot["conversation"], saved != .null { conversation = try LLMConversation(json: saved) }
        queue = snapshot["queue"]?.arrayValue ?? []
    }

    // MARK: Turns

    private mutating func start(_ message: JSON, context: inout ExecutorContext) async throws {
        let input = ExpressionInput.of(message, context.state)
        var built: [JSON]
        switch configuration.messages {
        case .templates(let templates):
            built = try templates.map { template in
                let value = try template.content.evaluate(input)
                return ["role": .string(template.role), "content": .string(value.stringValue ?? value.serialized())]
            }
        case .expression(let expression):
            let value = try expression.evaluate(input)
            guard let list = value.arrayValue, !list.isEmpty else {
                throw WorkflowError(.executorFailed, "executor '\(executorID)': 'messages' gave \(value.typeName), not a list of {role, content}",
                                    details: ["final": true])
            }
            built = try list.enumerated().map { index, item in
                guard let role = item["role"]?.stringValue, ["system", "user", "assistant", "developer"].contains(role) else {
                    throw WorkflowError(.executorFailed, "executor '\(executorID)': messages[\(index)] has no role of system, developer, user or assistant",
                                        details: ["final": true])
                }
                let content = item["content"] ?? .null
                return ["role": .string(role), "content": .string(content.stringValue ?? content.serialized())]
            }
        }
        // The kept conversation goes after the system messages, before this turn's.
        let leading = built.prefix { ["system", "developer"].contains($0["role"]?.stringValue ?? "") }
        let turn = Array(built.dropFirst(leading.count))
        var messages = Array(leading)
        if let key = configuration.conversation, let kept = context.state(key) {
            // Another step wrote something else there: say so rather than overwrite it.
            guard let list = kept.arrayValue, list.allSatisfy({ $0["role"]?.stringValue != nil }) else {
                throw WorkflowError(.executorFailed, "executor '\(executorID)': shared state '\(key)' (its conversation) holds \(kept.typeName), not a list of {role, content} messages",
                                    details: ["final": true])
            }
            messages += list
        }
        messages += turn
        conversation = LLMConversation(messages: messages, turn: turn)
        try await ask(context: &context)
    }

    /// Asks the model until it answers without tools or waits for them.
    private mutating func ask(context: inout ExecutorContext) async throws {
        while var current = conversation {
            let client = ChatCompletionsClient(configuration: configuration, executor: executorID)
            let live = context
            let completion = try await client.complete(messages: current.messages) { live.streamModelText($0) }
            current.modelCalls += 1
            current.promptTokens += completion.promptTokens
            current.completionTokens += completion.completionTokens
            var event: JSONObject = [
                "model": .string(completion.model ?? configuration.model), "content": completion.content.map(JSON.string) ?? .null,
                "usage": ["promptTokens": .number(Double(completion.promptTokens)), "completionTokens": .number(Double(completion.completionTokens))],
                "round": .number(Double(current.modelCalls)),
            ]
            if let reason = completion.finishReason { event["finishReason"] = .string(reason) }
            if !completion.toolCalls.isEmpty {
                event["toolCalls"] = .array(completion.toolCalls.map { ["id": .string($0.id), "name": .string($0.name), "arguments": Self.arguments($0.arguments)] })
            }
            context.recordModelMessage(event)
            current.messages.append(completion.assistantMessage)
            guard !completion.toolCalls.isEmpty else {
                conversation = current
                return try finish(completion, context: &context)
            }
            current.rounds += 1
            guard current.rounds <= configuration.maxToolRounds else {
                throw WorkflowError(.executorFailed, "executor '\(executorID)': the model asked for tools \(current.rounds) rounds in a row (maxToolRounds is \(configuration.maxToolRounds))",
                                    details: ["final": true])
            }
            current.pending = completion.toolCalls.map { call in
                let tool = configuration.tools.first { $0.name == call.name }
                var pending = LLMConversation.Call(id: call.id, executor: tool?.executor, name: call.name, arguments: .null)
                guard let tool else {
                    pending.result = .string("There is no tool named '\(call.name)'.")
                    return pending
                }
                guard let arguments = try? JSONParser.parse(call.arguments) else {
                    pending.result = .string("The arguments are not valid JSON: \(call.arguments.prefix(200))")
                    return pending
                }
                pending.arguments = arguments
                if tool.approve {
                    pending.requestID = context.requestInfo(Self.approvalPayload(tool: tool, call: call.id, arguments: arguments),
                                                            schema: Self.approvalSchema(tool))
                } else {
                    pending.sent = true
                    context.send(arguments, to: tool.executor)
                }
                return pending
            }
            conversation = current
            guard !current.waitsForAnswers else { return }
            appendResults()
        }
    }

    /// When every call of the round has its answer, gives them to the model.
    private mutating func continueIfComplete(context: inout ExecutorContext) async throws {
        guard let current = conversation, !current.waitsForAnswers else { return }
        appendResults()
        try await ask(context: &context)
    }

    /// Puts the round's results into the conversation as `tool` messages.
    private mutating func appendResults() {
        guard var current = conversation else { return }
        for call in current.pending {
            let result = call.result ?? .null
            current.messages.append(["role": "tool", "tool_call_id": .string(call.id), "content": .string(result.stringValue ?? result.serialized())])
            current.calls.append(["id": .string(call.id), "name": .string(call.name), "arguments": call.arguments, "result": result])
        }
        current.pending = []
        conversation = current
    }

    /// Sends the final message on, keeps the conversation if asked, and starts the next turn.
    private mutating func finish(_ completion: ChatCompletion, context: inout ExecutorContext) throws {
        guard let current = conversation else { return }
        var content: JSON = completion.content.map(JSON.string) ?? .null
        if configuration.responseSchema != nil, let text = completion.content {
            guard let parsed = try? JSONParser.parse(text) else {
                throw WorkflowError(.executorFailed, "executor '\(executorID)': the model's answer is not the JSON its responseSchema asks for: \(text.prefix(200))",
                                    details: ["errorCode": "malformed_response"])
            }
            content = parsed
        }
        var final: JSONObject = [
            "content": content,
            "usage": ["promptTokens": .number(Double(current.promptTokens)), "completionTokens": .number(Double(current.completionTokens))],
        ]
        if !current.calls.isEmpty { final["toolCalls"] = .array(current.calls) }
        if let key = configuration.conversation {
            var kept = context.state(key)?.arrayValue ?? []
            kept += current.turn
            kept.append(["role": "assistant", "content": completion.content.map(JSON.string) ?? .null])
            if kept.count > LLMConfiguration.conversationLimit { kept.removeFirst(kept.count - LLMConfiguration.conversationLimit) }
            context.setState(key, .array(kept))
        }
        conversation = nil
        if configuration.successors.isEmpty {
            // No edge of its own (its tools' do not count): the answer is what the run gives.
            context.yieldOutput(.object(final))
        } else {
            for target in configuration.successors { context.send(.object(final), to: target) }
        }
    }

    /// Starts the turns of the messages that waited, while none waits for its tools.
    private mutating func drainQueue(context: inout ExecutorContext) async throws {
        while conversation == nil, !queue.isEmpty {
            try await start(queue.removeFirst(), context: &context)
        }
    }

    // MARK: Approval

    static func approvalPayload(tool: LLMConfiguration.Tool, call: String, arguments: JSON) -> JSON {
        [
            "prompt": .string("The model asks to call \(tool.executor). Approve it (you may change its arguments), or refuse it with a reason."),
            "tool": .string(tool.executor), "callId": .string(call), "arguments": arguments,
            "description": tool.description.map(JSON.string) ?? .null,
        ]
    }

    static func approvalSchema(_ tool: LLMConfiguration.Tool) -> JSON {
        [
            "type": "object", "required": ["approve"], "additionalProperties": false,
            "properties": [
                "approve": ["type": "boolean", "title": "Approve the call", "description": "true runs the tool; false refuses it"],
                "arguments": tool.parameters,
                "reason": ["type": "string", "title": "Reason", "description": "Why the call is refused (the model is told)", "maxLength": 2000],
            ],
        ]
    }

    static func arguments(_ text: String) -> JSON {
        (try? JSONParser.parse(text)) ?? .string(text)
    }
}

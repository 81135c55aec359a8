import WorkflowEngine

/// A conversation an `llm` step is in the middle of: the messages so far, the tool calls of the
/// round it waits on, and what it has used. It is the step's snapshot, so it is checkpointed,
/// survives a restart, and rewinds and forks with the instance.
struct LLMConversation: Sendable, Hashable {
    /// A tool call of the current round.
    struct Call: Sendable, Hashable {
        var id: String
        /// The tool's executor (nil: the model named no tool of this step).
        var executor: String?
        var name: String
        var arguments: JSON
        /// The request asking a person to approve it, while it is open.
        var requestID: String?
        /// The answer, once it is in (the tool's message, or what says why there is none).
        var result: JSON?
        /// Whether it was sent to its executor (and its answer is awaited from there).
        var sent = false
    }

    var messages: [JSON]
    /// The messages of this turn to add to the kept conversation at its end (user side).
    var turn: [JSON]
    var pending: [Call] = []
    /// Every call made so far, with its result: the final message's `toolCalls`.
    var calls: [JSON] = []
    var rounds = 0
    var modelCalls = 0
    var promptTokens = 0
    var completionTokens = 0

    var waitsForAnswers: Bool { pending.contains { $0.result == nil } }

    var json: JSON {
        [
            "messages": .array(messages), "turn": .array(turn), "calls": .array(calls),
            "pending": .array(pending.map { call in
                var object: JSONObject = ["id": .string(call.id), "name": .string(call.name), "arguments": call.arguments, "sent": .bool(call.sent)]
                if let executor = call.executor { object["executor"] = .string(executor) }
                if let requestID = call.requestID { object["requestId"] = .string(requestID) }
                if let result = call.result { object["result"] = result }
                return .object(object)
            }),
            "rounds": .number(Double(rounds)), "modelCalls": .number(Double(modelCalls)),
            "usage": ["promptTokens": .number(Double(promptTokens)), "completionTokens": .number(Double(completionTokens))],
        ]
    }

    init(messages: [JSON], turn: [JSON]) {
        self.messages = messages
        self.turn = turn
    }

    init(json: JSON) throws {
        guard let messages = json["messages"]?.arrayValue else {
            throw WorkflowError(.invalidGraph, "an llm step's snapshot has no messages")
        }
        self.messages = messages
        turn = json["turn"]?.arrayValue ?? []
        calls = json["calls"]?.arrayValue ?? []
        rounds = json["rounds"]?.intValue ?? 0
        modelCalls = json["modelCalls"]?.intValue ?? 0
        promptTokens = json["usage"]?["promptTokens"]?.intValue ?? 0
        completionTokens = json["usage"]?["completionTokens"]?.intValue ?? 0
        pending = (json["pending"]?.arrayValue ?? []).map { call in
            Call(id: call["id"]?.stringValue ?? "", executor: call["executor"]?.stringValue, name: call["name"]?.stringValue ?? "",
                 arguments: call["arguments"] ?? .null, requestID: call["requestId"]?.stringValue, result: call["result"],
                 sent: call["sent"] == .bool(true))
        }
    }
}

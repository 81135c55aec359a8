import WorkflowJSON

/// The response shapes of OpenAI's Chat Completions API as published (API reference, "The chat
/// completion object" and "The chat completion chunk object"): what the test server answers.
enum ChatShapes {
    static let created = 1_765_000_000

    /// A whole answer (`object: chat.completion`).
    static func completion(model: String, answer: ModelServer.Answer) -> JSON {
        var message: JSONObject = ["role": "assistant", "content": answer.pieces.isEmpty ? nil : .string(answer.pieces.joined()), "refusal": nil]
        if !answer.toolCalls.isEmpty {
            message["tool_calls"] = .array(answer.toolCalls.map {
                ["id": .string($0.id), "type": "function", "function": ["name": .string($0.name), "arguments": .string($0.arguments)]]
            })
        }
        return [
            "id": "chatcmpl-test", "object": "chat.completion", "created": .number(Double(created)), "model": .string(model),
            "system_fingerprint": "fp_test",
            "choices": [["index": 0, "message": .object(message), "logprobs": nil,
                         "finish_reason": answer.toolCalls.isEmpty ? "stop" : "tool_calls"]],
            "usage": usage(answer),
        ]
    }

    /// The chunks of a streamed answer (`object: chat.completion.chunk`): the role first, a chunk
    /// per piece of text, a tool call's id and name and then its arguments in two pieces, the
    /// finish reason, and with `stream_options.include_usage` a last chunk with no choices and
    /// the usage (every other chunk then has `usage: null`).
    static func chunks(model: String, answer: ModelServer.Answer, includeUsage: Bool) -> [JSON] {
        var chunks = [chunk(model: model, delta: ["role": "assistant", "content": ""], includeUsage: includeUsage)]
        for piece in answer.pieces { chunks.append(chunk(model: model, delta: ["content": .string(piece)], includeUsage: includeUsage)) }
        for (index, call) in answer.toolCalls.enumerated() {
            chunks.append(chunk(model: model, delta: ["tool_calls": [[
                "index": .number(Double(index)), "id": .string(call.id), "type": "function",
                "function": ["name": .string(call.name), "arguments": ""],
            ]]], includeUsage: includeUsage))
            let middle = call.arguments.index(call.arguments.startIndex, offsetBy: call.arguments.count / 2)
            for part in [String(call.arguments[..<middle]), String(call.arguments[middle...])] {
                chunks.append(chunk(model: model, delta: ["tool_calls": [["index": .number(Double(index)), "function": ["arguments": .string(part)]]]],
                                    includeUsage: includeUsage))
            }
        }
        chunks.append(chunk(model: model, delta: [:], finishReason: answer.toolCalls.isEmpty ? "stop" : "tool_calls", includeUsage: includeUsage))
        if includeUsage {
            chunks.append(["id": "chatcmpl-test", "object": "chat.completion.chunk", "created": .number(Double(created)), "model": .string(model),
                           "system_fingerprint": "fp_test", "choices": [], "usage": usage(answer)])
        }
        return chunks
    }

    static func chunk(model: String, delta: JSONObject, finishReason: String? = nil, includeUsage: Bool = false) -> JSON {
        var chunk: JSONObject = [
            "id": "chatcmpl-test", "object": "chat.completion.chunk", "created": .number(Double(created)), "model": .string(model),
            "system_fingerprint": "fp_test",
            "choices": [["index": 0, "delta": .object(delta), "logprobs": nil, "finish_reason": finishReason.map(JSON.string) ?? nil]],
        ]
        if includeUsage { chunk["usage"] = nil }
        return .object(chunk)
    }

    static func usage(_ answer: ModelServer.Answer) -> JSON {
        ["prompt_tokens": .number(Double(answer.promptTokens)), "completion_tokens": .number(Double(answer.completionTokens)),
         "total_tokens": .number(Double(answer.promptTokens + answer.completionTokens))]
    }
}

import Glibc
import JMESPath
import Testing
import WorkflowEngine
@testable import WorkflowExecutors

/// The Chat Completions wire format as the `llm` kind writes and reads it, without I/O.
@Suite("llm: the Chat Completions wire format")
struct ChatCompletionTests {
    static func configuration(stream: Bool = true, tools: [LLMConfiguration.Tool] = [], schema: JSON? = nil) throws -> LLMConfiguration {
        LLMConfiguration(baseURL: "http://x/v1", model: "m", apiKey: .none, credentialsDirectory: nil,
                         messages: .expression(try JMESPathExpression("message")), stream: stream, temperature: 0.5, maxTokens: 64,
                         responseSchema: schema, tools: tools, maxToolRounds: 8, timeout: 30, conversation: nil, successors: [])
    }

    @Test("the request: model, messages, stream with usage, temperature, max_tokens, tools as functions (dots in names as _), response_format json_schema")
    func requestBody() throws {
        let tool = LLMConfiguration.Tool(executor: "mail.send", description: "Sends", parameters: ["type": "object"], approve: false)
        let body = ChatCompletion.requestBody(try Self.configuration(tools: [tool], schema: ["type": "object"]), messages: [["role": "user", "content": "hi"]])
        #expect(body["model"] == "m" && body["stream"] == true && body["stream_options"] == ["include_usage": true])
        #expect(body["temperature"] == 0.5 && body["max_tokens"] == 64)
        #expect(body["tools"] == [["type": "function", "function": ["name": "mail_send", "description": "Sends", "parameters": ["type": "object"]]]])
        #expect(body["response_format"] == ["type": "json_schema", "json_schema": ["name": "response", "schema": ["type": "object"]]])
        let whole = ChatCompletion.requestBody(try Self.configuration(stream: false), messages: [])
        #expect(whole["stream"] == nil && whole["stream_options"] == nil && whole["tools"] == nil)
    }

    @Test("stream chunks make one answer: text pieces in order, a tool call's arguments from their pieces, the usage of the last chunk")
    func chunks() throws {
        var completion = ChatCompletion()
        let chunks: [JSON] = [
            ["model": "m-1", "choices": [["index": 0, "delta": ["role": "assistant", "content": ""], "finish_reason": nil]]],
            ["choices": [["index": 0, "delta": ["content": "Hel"]]]],
            ["choices": [["index": 0, "delta": ["content": "lo"]]]],
            ["choices": [["index": 0, "delta": ["tool_calls": [["index": 0, "id": "call_9", "type": "function", "function": ["name": "lookup", "arguments": ""]]]]]]],
            ["choices": [["index": 0, "delta": ["tool_calls": [["index": 0, "function": ["arguments": "{\"q\":"]]]]]]],
            ["choices": [["index": 0, "delta": ["tool_calls": [["index": 0, "function": ["arguments": "1}"]]]]]]],
            ["choices": [["index": 0, "delta": [:], "finish_reason": "tool_calls"]]],
            ["choices": [], "usage": ["prompt_tokens": 9, "completion_tokens": 4, "total_tokens": 13]],
        ]
        var texts: [String] = []
        for chunk in chunks { if let text = try completion.add(chunk: chunk) { texts.append(text) } }
        try completion.finishStream()
        #expect(texts == ["Hel", "lo"])
        #expect(completion.content == "Hello" && completion.model == "m-1" && completion.finishReason == "tool_calls")
        #expect(completion.toolCalls == [.init(id: "call_9", name: "lookup", arguments: "{\"q\":1}")])
        #expect(completion.promptTokens == 9 && completion.completionTokens == 4)
        #expect(completion.assistantMessage["tool_calls"]?[0]?["function"]?["arguments"] == "{\"q\":1}")
    }

    @Test("a whole response reads the same; an error object, a missing message or a nameless tool call is malformed")
    func wholeAndMalformed() throws {
        let whole = try ChatCompletion(response: [
            "model": "m", "choices": [["index": 0, "message": ["role": "assistant", "content": nil,
                                                                 "tool_calls": [["id": "c", "type": "function", "function": ["name": "t", "arguments": "{}"]]]],
                                        "finish_reason": "tool_calls"]],
            "usage": ["prompt_tokens": 1, "completion_tokens": 2],
        ])
        #expect(whole.content == nil && whole.toolCalls.map(\.name) == ["t"] && whole.completionTokens == 2)
        #expect(throws: ChatCompletionError.self) { try ChatCompletion(response: ["choices": []]) }
        #expect(throws: ChatCompletionError.self) { try ChatCompletion(response: ["error": ["message": "bad key"]]) }
        var streamed = ChatCompletion()
        #expect(throws: ChatCompletionError.self) { _ = try streamed.add(chunk: ["error": ["message": "overloaded"]]) }
        _ = try streamed.add(chunk: ["choices": [["delta": ["tool_calls": [["index": 0, "function": ["arguments": "{}"]]]]]]])
        #expect(throws: ChatCompletionError.self) { try streamed.finishStream() }
    }

    @Test("Retry-After: seconds, an HTTP date, or nothing usable")
    func retryAfter() {
        #expect(ChatCompletionsClient.retryAfter("3") == 3)
        #expect(ChatCompletionsClient.retryAfter(" 0.5 ") == 0.5)
        #expect(ChatCompletionsClient.retryAfter("soon") == nil)
        #expect(ChatCompletionsClient.retryAfter("Sun, 06 Nov 1994 08:49:37 GMT") == 0, "a date in the past: at once")
        let inTen = (ChatCompletionsClient.retryAfter(Self.httpDate(Timestamp.now() + 10)) ?? 0)
        #expect(inTen > 8 && inTen <= 10)
    }

    @Test("an error's text never carries the key")
    func redaction() {
        struct Refused: Error, CustomStringConvertible { var description: String { "invalid header: Bearer sk-secret" } }
        #expect(ChatCompletionsClient.redacted(Refused(), key: "sk-secret") == "invalid header: Bearer [the API key]")
    }

    static func httpDate(_ seconds: Double) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"], months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}

import Hummingbird
import Logging
import NIOCore
import WorkflowConcurrency
import WorkflowJSON

/// An OpenAI-compatible `POST /v1/chat/completions` on 127.0.0.1 with a port of its own, for
/// tests: it answers from a script (``Reply``), whole or as server-sent chunks as the request
/// asks, and keeps every request it got with the problems ``RequestShape`` found in it (a
/// request that breaks the published shape is also answered 400, as OpenAI would).
///
/// ```swift
/// let server = try await ModelServer.started()
/// server.enqueue(.answer(["Hel", "lo"]))
/// // … an llm step with baseURL: server.baseURL …
/// #expect(server.requests.first?.problems == [])
/// ```
package final class ModelServer: Sendable {
    /// A request as received.
    package struct Received: Sendable {
        package var headers: [String: String]
        package var body: JSON
        /// What is wrong with it against the published request shape (empty: nothing).
        package var problems: [String]
    }

    /// How the server answers one request.
    package enum Reply: Sendable {
        /// An answer: its text in pieces (one chunk each when streamed), tool calls, usage.
        case answer(Answer)
        /// An error status with OpenAI's error body, and a `Retry-After` header if given.
        case error(status: Int, message: String, retryAfter: String? = nil)
        /// A stream whose chunks after `pieces` are one that is not JSON.
        case malformed(pieces: [String])
        /// Takes the request and never answers.
        case hang

        /// An answer of text only.
        package static func answer(_ pieces: [String], promptTokens: Int = 11, completionTokens: Int = 7) -> Reply {
            .answer(Answer(pieces: pieces, promptTokens: promptTokens, completionTokens: completionTokens))
        }
        /// An answer that calls tools: `(id, name, arguments as JSON text)`.
        package static func toolCalls(_ calls: [Answer.ToolCall], promptTokens: Int = 20, completionTokens: Int = 5) -> Reply {
            .answer(Answer(pieces: [], toolCalls: calls, promptTokens: promptTokens, completionTokens: completionTokens))
        }
    }

    /// What ``Reply/answer(_:)`` says.
    package struct Answer: Sendable {
        package struct ToolCall: Sendable {
            package var id: String
            package var name: String
            package var arguments: String
            package init(id: String, name: String, arguments: String) {
                self.id = id
                self.name = name
                self.arguments = arguments
            }
        }
        package var pieces: [String]
        package var toolCalls: [ToolCall] = []
        package var promptTokens: Int
        package var completionTokens: Int
        /// The pause before each streamed chunk.
        package var chunkDelay: Duration = .milliseconds(20)
        package init(pieces: [String], toolCalls: [ToolCall] = [], promptTokens: Int = 11, completionTokens: Int = 7,
                     chunkDelay: Duration = .milliseconds(20)) {
            self.pieces = pieces
            self.toolCalls = toolCalls
            self.promptTokens = promptTokens
            self.completionTokens = completionTokens
            self.chunkDelay = chunkDelay
        }
    }

    private struct State {
        var script: [Reply] = []
        var received: [Received] = []
    }

    private let state = Locked(State())
    private let task: Locked<Task<Void, any Error>?> = Locked(nil)
    /// The port it listens on.
    package let port: Int

    /// `http://127.0.0.1:PORT/v1`: an llm step's `baseURL`.
    package var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    /// The requests received so far, in order.
    package var requests: [Received] { state.withLock { $0.received } }

    /// Adds replies to the script (each request takes the next; with none left, it is a 500).
    package func enqueue(_ replies: Reply...) {
        state.withLock { $0.script += replies }
    }

    private init(port: Int) {
        self.port = port
    }

    /// A server listening on 127.0.0.1 and a free port.
    package static func started() async throws -> ModelServer {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let holder = Locked<ModelServer?>(nil)
        let router = Router(context: BasicRequestContext.self)
        router.post("/v1/chat/completions") { request, _ in
            let bytes = try await request.body.collect(upTo: 16 << 20)
            guard let server = holder.withLock({ $0 }) else { return Response(status: .serviceUnavailable) }
            return await server.respond(headers: request.headers, body: Array(buffer: bytes))
        }
        let application = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: nil),
                                      onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
                                      logger: Self.quiet)
        let task = Task { try await application.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            task.cancel()
            throw ModelServerError(description: "the model test server did not start")
        }
        let server = ModelServer(port: port)
        server.task.withLock { $0 = task }
        holder.withLock { $0 = server }
        return server
    }

    /// Stops listening (hanging requests end).
    package func stop() async {
        let task = task.withLock { $0 }
        task?.cancel()
        _ = try? await task?.value
    }

    private func respond(headers: HTTPFields, body bytes: [UInt8]) async -> Response {
        var headerMap: [String: String] = [:]
        for field in headers { headerMap[field.name.canonicalName] = field.value }
        let body = (try? JSONParser.parse(bytes)) ?? .null
        var problems = RequestShape.problems(body)
        if !(headerMap["content-type"] ?? "").hasPrefix("application/json") { problems.append("Content-Type is not application/json") }
        let reply = state.withLock { state -> Reply? in
            state.received.append(Received(headers: headerMap, body: body, problems: problems))
            return state.script.isEmpty ? nil : state.script.removeFirst()
        }
        guard problems.isEmpty else {
            return Self.error(status: 400, message: "invalid request: " + problems.joined(separator: "; "), retryAfter: nil)
        }
        guard let reply else { return Self.error(status: 500, message: "the test server has no reply scripted for this request", retryAfter: nil) }
        let model = body["model"]?.stringValue ?? "test-model"
        let stream = body["stream"] == .bool(true)
        switch reply {
        case .error(let status, let message, let retryAfter):
            return Self.error(status: status, message: message, retryAfter: retryAfter)
        case .hang:
            try? await Task.sleep(for: .seconds(3600))
            return Self.error(status: 504, message: "hung", retryAfter: nil)
        case .malformed(let pieces):
            let chunks = pieces.map { ChatShapes.chunk(model: model, delta: ["content": .string($0)]).serialized() } + ["{\"choices\": [ this is not JSON"]
            return Self.sse(chunks, delay: .milliseconds(10), done: false)
        case .answer(let answer):
            guard stream else {
                return Response(status: .ok, headers: [.contentType: "application/json"],
                                body: .init(byteBuffer: ByteBuffer(string: ChatShapes.completion(model: model, answer: answer).serialized())))
            }
            return Self.sse(ChatShapes.chunks(model: model, answer: answer, includeUsage: body["stream_options"]?["include_usage"] == .bool(true))
                                .map { $0.serialized() }, delay: answer.chunkDelay, done: true)
        }
    }

    /// The HTTP server's own messages (a stop cancels hanging requests, which it reports) are
    /// not the test's.
    private static let quiet: Logger = {
        var logger = Logger(label: "model-test-server")
        logger.logLevel = .critical
        return logger
    }()

    private static func sse(_ chunks: [String], delay: Duration, done: Bool) -> Response {
        let body = ResponseBody { writer in
            for chunk in chunks {
                try await Task.sleep(for: delay)
                try await writer.write(ByteBuffer(string: "data: \(chunk)\n\n"))
            }
            if done { try await writer.write(ByteBuffer(string: "data: [DONE]\n\n")) }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }

    private static func error(status: Int, message: String, retryAfter: String?) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let retryAfter { headers[.retryAfter] = retryAfter }
        let type = status == 429 ? "rate_limit_exceeded" : status >= 500 ? "server_error" : "invalid_request_error"
        let body: JSON = ["error": ["message": .string(message), "type": .string(type), "param": nil, "code": nil]]
        return Response(status: HTTPResponse.Status(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: body.serialized())))
    }
}

/// The test server could not start.
package struct ModelServerError: Error, CustomStringConvertible {
    package var description: String
}

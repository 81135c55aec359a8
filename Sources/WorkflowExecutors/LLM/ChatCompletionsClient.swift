#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AsyncHTTPClient
import WorkflowConcurrency
import NIOCore
import NIOHTTP1
import WorkflowEngine

/// Calls an OpenAI-compatible `POST {baseURL}/chat/completions` through async-http-client (its
/// event loops do the I/O; nothing here blocks a thread). Failures are `WorkflowError`s that a
/// retry policy can read: 429 and 5xx and lost connections are retried (`details.retryAfter`
/// from the server's `Retry-After`), other 4xx are final, a hang is a `timeout`.
package struct ChatCompletionsClient: Sendable {
    let configuration: LLMConfiguration
    let executor: String

    package init(configuration: LLMConfiguration, executor: String) {
        self.configuration = configuration
        self.executor = executor
    }

    /// Asks the model; `onText` gets each piece of streamed text as it comes.
    package func complete(messages: [JSON], onText: @escaping @Sendable (String) -> Void) async throws -> ChatCompletion {
        // A file read blocks: on a thread of its own, not the cooperative pool.
        let key = try await BlockingWork.run { try self.apiKey() }
        let timeout = configuration.timeout
        let executor = executor
        do {
            return try await withDeadline(seconds: timeout) {
                try await self.call(messages: messages, key: key, onText: onText)
            }
        } catch is DeadlineExceeded {
            throw WorkflowError(.executorFailed, "executor '\(executor)': the model did not answer within \(Self.seconds(timeout))",
                                details: ["failure": "timeout"])
        }
    }

    private func call(messages: [JSON], key: String?, onText: @escaping @Sendable (String) -> Void) async throws -> ChatCompletion {
        let url = configuration.baseURL.hasSuffix("/") ? configuration.baseURL + "chat/completions" : configuration.baseURL + "/chat/completions"
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: configuration.stream ? "text/event-stream" : "application/json")
        if let key { request.headers.add(name: "Authorization", value: "Bearer " + key) }
        request.body = .bytes(ChatCompletion.requestBody(configuration, messages: messages).serializedBytes(sortedKeys: false))
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .seconds(Int64(configuration.timeout.rounded(.up)) + 1))
        } catch {
            throw WorkflowError(.executorFailed, "executor '\(executor)': the model server at \(configuration.baseURL) could not be reached: \(Self.redacted(error, key: key))",
                                details: ["errorCode": "connection"])
        }
        guard response.status == .ok else {
            let body = (try? await response.body.collect(upTo: 64 << 10)).map { String(buffer: $0) } ?? ""
            throw failure(status: response.status, headers: response.headers, body: key.map { body.replacing($0, with: "[the API key]") } ?? body)
        }
        do {
            if configuration.stream && response.headers.first(name: "Content-Type")?.hasPrefix("text/event-stream") == true {
                return try await readStream(response.body, onText: onText)
            }
            let body = try await response.body.collect(upTo: LLMConfiguration.responseLimit)
            let json: JSON
            do { json = try JSONParser.parse(Array(buffer: body)) } catch {
                throw ChatCompletionError.malformed("the response is not JSON: \(error)")
            }
            let completion = try ChatCompletion(response: json)
            if configuration.stream, let content = completion.content, !content.isEmpty { onText(content) }
            return completion
        } catch let error as ChatCompletionError {
            throw WorkflowError(.executorFailed, "executor '\(executor)': the model server sent a malformed answer: \(error)",
                                details: ["errorCode": "malformed_response"])
        } catch let error as WorkflowError {
            throw error
        } catch {
            if Task.isCancelled { throw error }
            throw WorkflowError(.executorFailed, "executor '\(executor)': the answer from the model server broke off: \(Self.redacted(error, key: key))",
                                details: ["errorCode": "connection"])
        }
    }

    /// Reads server-sent events (`data: {chunk}` … `data: [DONE]`), one chunk per event.
    private func readStream(_ body: HTTPClientResponse.Body, onText: @escaping @Sendable (String) -> Void) async throws -> ChatCompletion {
        var completion = ChatCompletion()
        var line: [UInt8] = []
        var data: [UInt8] = []
        var total = 0
        var done = false
        func dispatch() throws {
            defer { data.removeAll(keepingCapacity: true) }
            guard !data.isEmpty, !done else { return }
            if data == Array("[DONE]".utf8) {
                done = true
                return
            }
            let chunk: JSON
            do { chunk = try JSONParser.parse(data) } catch {
                throw ChatCompletionError.malformed("a chunk that is not JSON (\(String(decoding: data.prefix(80), as: UTF8.self))): \(error)")
            }
            if let text = try completion.add(chunk: chunk) { onText(text) }
        }
        func take(_ line: [UInt8]) throws {
            if line.isEmpty { return try dispatch() }
            if line.first == UInt8(ascii: ":") { return }  // a comment (keep-alive)
            guard line.starts(with: Array("data:".utf8)) else { return }  // event:, id:, retry:
            var value = line.dropFirst(5)
            if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
            if !data.isEmpty { data.append(UInt8(ascii: "\n")) }
            data.append(contentsOf: value)
        }
        for try await buffer in body {
            total += buffer.readableBytes
            guard total <= LLMConfiguration.responseLimit else {
                throw ChatCompletionError.malformed("the answer is longer than \(LLMConfiguration.responseLimit >> 20) MiB")
            }
            for byte in buffer.readableBytesView {
                if byte == UInt8(ascii: "\n") {
                    if line.last == UInt8(ascii: "\r") { line.removeLast() }
                    try take(line)
                    line.removeAll(keepingCapacity: true)
                } else {
                    line.append(byte)
                }
            }
            if done { break }
        }
        if !line.isEmpty { try take(line) }
        try dispatch()
        guard done || completion.finishReason != nil else {
            throw ChatCompletionError.malformed("the stream ended before its last chunk (no finish_reason, no [DONE])")
        }
        try completion.finishStream()
        return completion
    }

    /// The error for a status other than 200, with the server's own message.
    private func failure(status: HTTPResponseStatus, headers: HTTPHeaders, body: String) -> WorkflowError {
        let message = (try? JSONParser.parse(body)).flatMap { $0["error"] }.map(ChatCompletion.errorMessage)
            ?? String(body.prefix(300))
        let text = "executor '\(executor)': the model server answered \(status.code) \(status.reasonPhrase)" + (message.isEmpty ? "" : ": \(message)")
        var details: JSONObject = ["errorCode": .string("http_\(status.code)"), "status": .number(Double(status.code))]
        if status.code == 429 || status.code == 408 || status.code >= 500 {
            if let after = headers.first(name: "Retry-After").flatMap(Self.retryAfter) { details["retryAfter"] = .number(after) }
        } else {
            details["final"] = true  // a bad request or key does not get better by asking again
        }
        return WorkflowError(.executorFailed, text, details: .object(details))
    }

    /// `Retry-After` as seconds: a number, or an HTTP date.
    static func retryAfter(_ value: String) -> Double? {
        let trimmed = value.trimmedOfWhitespace()
        if let seconds = Double(trimmed), seconds.isFinite, seconds >= 0 { return min(seconds, 3600) }
        // An IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
        let parts = trimmed.split(separator: " ")
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard parts.count == 6, parts[5] == "GMT", let day = Int32(parts[1]), let month = months.firstIndex(of: String(parts[2])),
              let year = Int32(parts[3]) else { return nil }
        let clock = parts[4].split(separator: ":").compactMap { Int32($0) }
        guard clock.count == 3 else { return nil }
        var parsed = tm()
        parsed.tm_year = year - 1900
        parsed.tm_mon = Int32(month)
        parsed.tm_mday = day
        parsed.tm_hour = clock[0]
        parsed.tm_min = clock[1]
        parsed.tm_sec = clock[2]
        let when = Double(timegm(&parsed))
        return min(3600, max(0, when - Timestamp.now()))
    }

    /// The key, read now (so a rotated key is used at once).
    private func apiKey() throws -> String? {
        let path: String
        switch configuration.apiKey {
        case .none: return nil
        case .file(let file): path = file
        case .credential(let name):
            guard let directory = configuration.credentialsDirectory else {
                throw WorkflowError(.executorFailed, "executor '\(executor)': apiKeyCredential '\(name)' needs the daemon's credentials directory ($CREDENTIALS_DIRECTORY, systemd's LoadCredential=), and it has none",
                                    details: ["final": true])
            }
            path = directory + "/" + name
        }
        guard let text = Self.readFile(path) else {
            throw WorkflowError(.executorFailed, "executor '\(executor)': cannot read the API key file \(path)", details: ["final": true])
        }
        let key = text.trimmedOfWhitespace()
        guard !key.isEmpty else { throw WorkflowError(.executorFailed, "executor '\(executor)': the API key file \(path) is empty", details: ["final": true]) }
        guard key.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            throw WorkflowError(.executorFailed, "executor '\(executor)': the API key in \(path) has a space, a line break or a character HTTP headers cannot carry",
                                details: ["final": true])
        }
        return key
    }

    /// A small file's text (a key), or nil.
    static func readFile(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 1 << 20 {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        return String(validating: bytes, as: UTF8.self)
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }
}

extension String {
    /// Without the whitespace (spaces, tabs, line breaks) around it.
    func trimmedOfWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }
}

extension ChatCompletionsClient {
    /// An error's text with the key cut out: an HTTP library may quote the headers it refused.
    static func redacted(_ error: any Error, key: String?) -> String {
        let text = "\(error)"
        guard let key, !key.isEmpty else { return text }
        return text.replacing(key, with: "[the API key]")
    }
}

/// `withDeadline` ran out of time.
struct DeadlineExceeded: Error {}

/// Runs `work`, cancelling it when `seconds` pass (then throws ``DeadlineExceeded``).
func withDeadline<T: Sendable>(seconds: Double, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await work() }
        group.addTask {
            try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw DeadlineExceeded() }
        guard let value = first else { throw DeadlineExceeded() }
        return value
    }
}

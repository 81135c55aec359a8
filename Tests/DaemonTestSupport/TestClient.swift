import NIOConcurrencyHelpers
import NIOCore
import NIOExtras
import NIOPosix
import WorkflowJSON
import WorkflowProtocol

/// A JSON-RPC client over a real Unix socket, as a test drives the daemon: answers are routed to
/// their callers by id (so calls may overlap), everything else (notifications, batch answers,
/// errors with a null id) waits in order for `next()`. Every wait has a deadline, so a daemon that
/// never answers fails the test instead of hanging it.
package final class TestClient: Sendable {
    package let channel: any Channel
    package let mailbox: Mailbox
    private let ids = NIOLockedValueBox(1_000_000)

    /// A call that succeeded: what was sent and what came back (the OpenRPC test validates them
    /// against the document's schemas).
    package struct RecordedCall: Sendable {
        package var method: String
        package var params: JSON?
        package var result: JSON
    }

    /// Every successful call of every client in this test process.
    package static let recorded = NIOLockedValueBox<[RecordedCall]>([])

    package struct Timeout: Error, CustomStringConvertible {
        package var what: String
        package var description: String { "timed out waiting for \(what)" }
    }

    /// Connects to the daemon's socket.
    package static func connect(_ path: String, autoRead: Bool = true) async throws -> TestClient {
        let mailbox = Mailbox()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(ChannelOptions.autoRead, value: autoRead)
            .channelOption(ChannelOptions.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: autoRead ? 65536 : 1024))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineBasedFrameDecoder()))
                    try channel.pipeline.syncOperations.addHandler(LineHandler(mailbox: mailbox))
                }
            }
            .connect(unixDomainSocketPath: path).get()
        return TestClient(channel: channel, mailbox: mailbox)
    }

    private init(channel: any Channel, mailbox: Mailbox) {
        self.channel = channel
        self.mailbox = mailbox
    }

    /// Sends raw text (a newline is added unless `newline` is false).
    package func send(raw text: String, newline: Bool = true) async throws {
        var buffer = channel.allocator.buffer(capacity: text.utf8.count + 1)
        buffer.writeString(text)
        if newline { buffer.writeString("\n") }
        try await channel.writeAndFlush(buffer)
    }

    /// Sends one message as a line.
    package func send(_ message: JSON) async throws {
        try await send(raw: message.serialized())
    }

    /// Calls a method and returns its answer (result or error).
    package func call(_ method: String, _ params: JSON? = nil, timeout: Duration = .seconds(60)) async throws -> Result<JSON, RPCError> {
        let id = ids.withLockedValue { value -> Int in
            value += 1  // from 1_000_001 up: never an id a test writes by hand
            return value
        }
        let answer = mailbox.answer(to: id)
        try await send(RPCOutgoing.request(id: RPCID(id), method, params))
        let response = try await answer.value(timeout: timeout, on: channel.eventLoop, what: "the answer to \(method)")
        guard let response else { throw Timeout(what: "the answer to \(method) (the connection closed)") }
        // Read as the protocol reads a response (the library client does the same).
        guard case .response(_, let outcome) = RPCIncoming(response) else {
            throw Timeout(what: "a well-formed answer to \(method), not \(response.serialized())")
        }
        let result: JSON
        switch outcome {
        case .failure(let error): return .failure(error)
        case .success(let value): result = value
        }
        Self.recorded.withLockedValue { calls in
            if calls.count < 20_000 { calls.append(RecordedCall(method: method, params: params, result: result)) }
        }
        return .success(result)
    }

    /// Calls a method that must succeed.
    @discardableResult
    package func result(_ method: String, _ params: JSON? = nil, timeout: Duration = .seconds(60)) async throws -> JSON {
        try await call(method, params, timeout: timeout).get()
    }

    /// Calls a method that must fail, and returns its error.
    package func error(_ method: String, _ params: JSON? = nil) async throws -> RPCError {
        switch try await call(method, params) {
        case .success(let result): throw Timeout(what: "an error from \(method), which answered \(result.serialized())")
        case .failure(let error): return error
        }
    }

    /// The next message that is not an answer to a call (nil once the daemon closed the connection).
    package func next(timeout: Duration = .seconds(30)) async throws -> JSON? {
        try await mailbox.next().value(timeout: timeout, on: channel.eventLoop, what: "a message")
    }

    /// Notifications of a method, skipping others, until `count` have come.
    package func notifications(_ method: String, count: Int, timeout: Duration = .seconds(30)) async throws -> [JSON] {
        var found: [JSON] = []
        while found.count < count {
            guard let message = try await next(timeout: timeout) else { throw Timeout(what: "\(method) (the connection closed)") }
            if message["method"]?.stringValue == method { found.append(message["params"] ?? .null) }
        }
        return found
    }

    /// Events of a subscription until one matches `until`.
    package func events(until: (JSON) -> Bool, timeout: Duration = .seconds(30)) async throws -> [JSON] {
        var events: [JSON] = []
        while true {
            guard let message = try await next(timeout: timeout) else { throw Timeout(what: "an event (the connection closed)") }
            if message["method"]?.stringValue == "events.overflow" {
                throw Timeout(what: "events: this client's subscription overflowed (\(message.serialized()))")
            }
            guard message["method"]?.stringValue == "events.event", let event = message["params"]?["event"] else { continue }
            events.append(event)
            if until(event) { return events }
        }
    }

    package func close() async {
        try? await channel.close()
    }

    /// Where lines go.
    package final class Mailbox: Sendable {
        private struct State {
            var answerWaiters: [Int: Waiter] = [:]
            var others: [JSON] = []
            var head = 0  // others[..<head] are taken (popping the front of an array is O(n))
            var otherWaiter: Waiter?
            var closed = false
        }
        private let state = NIOLockedValueBox(State())

        package func deliver(_ message: JSON) {
            let waiter: Waiter? = state.withLockedValue { state in
                // An answer to a call (its waiter was registered before it was sent); answers to
                // raw lines go with everything else.
                if let id = message["id"]?.intValue, message["method"] == nil, let waiter = state.answerWaiters.removeValue(forKey: id) {
                    return waiter
                }
                if let waiter = state.otherWaiter {
                    state.otherWaiter = nil
                    return waiter
                }
                state.others.append(message)
                return nil
            }
            waiter?.fulfil(message)
        }

        /// Messages that are not answers, received and not yet taken.
        package var waiting: Int { state.withLockedValue { $0.others.count - $0.head } }

        package func close() {
            let waiters: [Waiter] = state.withLockedValue { state in
                state.closed = true
                var all = Array(state.answerWaiters.values)
                state.answerWaiters = [:]
                if let other = state.otherWaiter { all.append(other) }
                state.otherWaiter = nil
                return all
            }
            for waiter in waiters { waiter.fulfil(nil) }
        }

        package func answer(to id: Int) -> Waiter {
            let waiter = Waiter()
            state.withLockedValue { state in
                if state.closed {
                    waiter.fulfil(nil)
                } else {
                    state.answerWaiters[id] = waiter
                }
            }
            return waiter
        }

        package func next() -> Waiter {
            let waiter = Waiter()
            state.withLockedValue { state in
                if state.head < state.others.count {
                    waiter.fulfil(state.others[state.head])
                    state.head += 1
                    if state.head > 4096 && state.head * 2 > state.others.count {
                        state.others.removeFirst(state.head)
                        state.head = 0
                    }
                } else if state.closed {
                    waiter.fulfil(nil)
                } else {
                    state.otherWaiter = waiter
                }
            }
            return waiter
        }
    }

    /// A value that arrives once, awaited with a deadline.
    package final class Waiter: Sendable {
        private let promise = NIOLockedValueBox<(value: JSON??, continuation: CheckedContinuation<JSON?, any Error>?)>((nil, nil))

        package func fulfil(_ value: JSON?) {
            let continuation = promise.withLockedValue { state -> CheckedContinuation<JSON?, any Error>? in
                guard state.value == nil else { return nil }
                state.value = .some(value)
                defer { state.continuation = nil }
                return state.continuation
            }
            continuation?.resume(returning: value)
        }

        private func expire(_ what: String) {
            let continuation = promise.withLockedValue { state -> CheckedContinuation<JSON?, any Error>? in
                guard state.value == nil else { return nil }
                state.value = .some(nil)
                defer { state.continuation = nil }
                return state.continuation
            }
            continuation?.resume(throwing: Timeout(what: what))
        }

        package func value(timeout: Duration, on loop: any EventLoop, what: String) async throws -> JSON? {
            let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
            let deadline = loop.scheduleTask(in: .nanoseconds(nanoseconds)) { self.expire(what) }
            defer { deadline.cancel() }
            return try await withCheckedThrowingContinuation { continuation in
                let ready = promise.withLockedValue { state -> JSON?? in
                    if let value = state.value { return .some(value) }
                    state.continuation = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        }
    }

    /// Lines in, JSON into the mailbox (a line that is not JSON arrives as a string).
    package final class LineHandler: ChannelInboundHandler, Sendable {
        package typealias InboundIn = ByteBuffer
        package let mailbox: Mailbox
        package init(mailbox: Mailbox) { self.mailbox = mailbox }

        package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            let text = String(buffer: buffer)
            mailbox.deliver((try? JSONParser.parse(text)) ?? .string(text))
        }

        package func channelInactive(context: ChannelHandlerContext) {
            mailbox.close()
            context.fireChannelInactive()
        }

        package func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}

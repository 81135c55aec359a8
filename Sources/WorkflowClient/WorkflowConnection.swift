#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOConcurrencyHelpers
import NIOCore
import NIOExtras
import NIOPosix
import WorkflowJSON
import WorkflowProtocol

/// One JSON-RPC connection to the daemon, the layer ``WorkflowClient`` is built on: calls by
/// method name with raw params, answered by id (so calls overlap), and everything that is not an
/// answer to one of them handed to a handler in the order it came.
///
/// Use it to speak the protocol itself: a tool that sends lines of its own, a test that sends
/// malformed ones, a program that reads notifications as they come.
///
/// ```swift
/// let connection = try await WorkflowConnection.connect(path: socket) { incoming in
///     if case .message(let notification) = incoming { print(notification.serialized()) }
/// }
/// let pong = try await connection.call("daemon.ping", nil).get()
/// connection.close()
/// ```
///
/// Lines are framed in the channel pipeline (on an event loop); what follows runs under a lock.
public final class WorkflowConnection: Sendable {
    /// How a connection reads.
    public struct Options: Sendable {
        /// The longest line accepted from the daemon; a longer one closes the connection.
        public var maximumLine: Int
        /// Whether the connection reads as soon as bytes come. A connection that does not reads
        /// only when asked (``read()``), so that the daemon's queue for it fills (a slow reader).
        public var readsAutomatically: Bool
        /// The bytes one read takes at most (nil: as many as there are, up to 64 KiB).
        public var readSize: Int?
        /// The id of the first call (later ones count up from it): a program that also writes
        /// requests by hand keeps its own ids apart from the connection's.
        public var firstRequestID: Int

        /// Options for a connection; the defaults fit every answer the daemon gives.
        public init(maximumLine: Int = 64 << 20, readsAutomatically: Bool = true, readSize: Int? = nil, firstRequestID: Int = 1) {
            self.maximumLine = maximumLine
            self.readsAutomatically = readsAutomatically
            self.readSize = readSize
            self.firstRequestID = firstRequestID
        }
    }

    /// What comes that is not an answer to a call of this connection.
    public enum Unsolicited: Sendable {
        /// A message: a notification, an error the daemon sent with a null id (a refused
        /// connection says why before it closes), the answers to a batch, an answer to a request
        /// written by hand.
        case message(JSON)
        /// A line that is not JSON, as it came.
        case unreadable(String)
        /// The connection closed; nothing comes after this.
        case closed
    }

    private let state: NIOLockedValueBox<State>
    private let channelBox = NIOLockedValueBox<(any Channel)?>(nil)
    private let unsolicited: @Sendable (Unsolicited) -> Void
    private var channel: any Channel { channelBox.withLockedValue { $0! } }

    private struct State {
        var nextID: Int
        var pending: [Int: Pending] = [:]
        var closed = false
        /// The last error the daemon sent with a null id: it says why a connection it refused closed.
        var refusal: RPCError?
    }

    private struct Pending {
        var continuation: CheckedContinuation<Result<JSON, RPCError>, any Error>?
        /// Runs with the answer before the next line is read (see ``call(_:_:whenAnswered:)``).
        var whenAnswered: (@Sendable (Result<JSON, RPCError>) -> Void)?
    }

    /// Connects to the daemon's Unix socket; `unsolicited` receives, in order, everything that is
    /// not an answer to a call of this connection, then ``Unsolicited/closed``.
    /// - Throws: ``WorkflowClientError/Code/unreachable`` naming the path and the cause, or
    ///   ``WorkflowClientError/Code/accessDenied`` naming the group this user would need.
    public static func connect(path: String, options: Options = Options(),
                               unsolicited: @escaping @Sendable (Unsolicited) -> Void = { _ in }) async throws -> WorkflowConnection {
        let connection = WorkflowConnection(options: options, unsolicited: unsolicited)
        do {
            var bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(ChannelOptions.autoRead, value: options.readsAutomatically)
            if let readSize = options.readSize {
                bootstrap = bootstrap.channelOption(ChannelOptions.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: readSize))
            }
            let channel = try await bootstrap
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineBasedFrameDecoder(), maximumBufferSize: options.maximumLine))
                        try channel.pipeline.syncOperations.addHandler(LineHandler { event in connection.handle(event) })
                    }
                }
                .connect(unixDomainSocketPath: path).get()
            connection.channelBox.withLockedValue { $0 = channel }
            return connection
        } catch let error as IOError where error.errnoCode == EACCES || error.errnoCode == EPERM {
            let group = SocketAccess.group(of: path).map { "you need to be in group '\($0)'" } ?? "you may not use it"
            throw WorkflowClientError(.accessDenied, "permission denied on workflowd's socket \(path): \(group)")
        } catch {
            throw WorkflowClientError(.unreachable, "cannot connect to workflowd at \(path): \(Self.describe(error))")
        }
    }

    private init(options: Options, unsolicited: @escaping @Sendable (Unsolicited) -> Void) {
        state = NIOLockedValueBox(State(nextID: options.firstRequestID))
        self.unsolicited = unsolicited
    }

    /// Whether the connection is still open.
    public var isOpen: Bool { !state.withLockedValue(\.closed) }

    /// Calls `method` and waits for its answer: the result, or the error the daemon answered
    /// with. `whenAnswered` sees the answer before the connection reads its next line: what it
    /// registers (a subscription's buffer) is in place before any notification that follows.
    /// A cancelled call stops waiting (its answer, when it comes, is dropped).
    /// - Throws: ``WorkflowClientError/Code/connectionLost`` when the connection closes first (with
    ///   what the daemon said, if it said why), or `CancellationError`.
    public func call(_ method: String, _ params: JSON?,
                     whenAnswered: (@Sendable (Result<JSON, RPCError>) -> Void)? = nil) async throws -> Result<JSON, RPCError> {
        guard let id = register(Pending(continuation: nil, whenAnswered: whenAnswered)) else {
            throw lost("the connection to workflowd is closed")
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let gone = state.withLockedValue { state -> Bool in
                    guard !state.closed, state.pending[id] != nil else { return true }
                    state.pending[id]?.continuation = continuation
                    return false
                }
                if gone {
                    continuation.resume(throwing: Task.isCancelled ? CancellationError() : lost("the connection to workflowd closed before \(method) was answered"))
                    return
                }
                write(RPCOutgoing.line(RPCOutgoing.request(id: RPCID(id), method, params))) { [weak self] error in
                    self?.fail(id, WorkflowClientError(.connectionLost, "cannot send \(method): \(Self.describe(error))"))
                }
            }
        } onCancel: {
            fail(id, CancellationError())
        }
    }

    /// Sends a request whose answer nobody waits for (an unsubscribe on the way out); its answer is
    /// dropped, never handed to the unsolicited handler.
    public func post(_ method: String, _ params: JSON?) {
        guard let id = register(Pending(continuation: nil, whenAnswered: nil)) else { return }
        write(RPCOutgoing.line(RPCOutgoing.request(id: RPCID(id), method, params)), whenFailed: nil)
    }

    /// Sends one message as a line, as it is (a notification, a batch, a request with an id of
    /// the caller's: its answer goes to the unsolicited handler).
    public func send(_ message: JSON) async throws {
        try await send(raw: message.serializedBytes() + [0x0A])
    }

    /// Sends bytes as they are, framing included or not (a test of what the daemon does with a
    /// line cut in two).
    public func send(raw bytes: [UInt8]) async throws {
        var buffer = channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        do {
            try await channel.writeAndFlush(buffer)
        } catch {
            throw WorkflowClientError(.connectionLost, "cannot send to workflowd: \(Self.describe(error))")
        }
    }

    /// Reads once more (for a connection that does not read automatically).
    public func read() {
        channel.read()
    }

    /// Starts or stops reading as bytes come.
    public func setReadsAutomatically(_ on: Bool) async throws {
        try await channel.setOption(ChannelOptions.autoRead, value: on).get()
    }

    /// Closes the connection; calls still waiting fail with ``WorkflowClientError/Code/connectionLost``.
    public func close() {
        channel.close(promise: nil)
    }

    private func register(_ pending: Pending) -> Int? {
        state.withLockedValue { state in
            guard !state.closed else { return nil }
            defer { state.nextID += 1 }
            state.pending[state.nextID] = pending
            return state.nextID
        }
    }

    private func write(_ line: [UInt8], whenFailed: (@Sendable (any Error) -> Void)?) {
        var buffer = channel.allocator.buffer(capacity: line.count)
        buffer.writeBytes(line)
        if let whenFailed {
            channel.writeAndFlush(buffer).whenFailure(whenFailed)
        } else {
            channel.writeAndFlush(buffer, promise: nil)
        }
    }

    /// A lost connection, with what the daemon said before it closed, if it said anything.
    private func lost(_ text: String) -> WorkflowClientError {
        if let said = state.withLockedValue(\.refusal) {
            return WorkflowClientError(.rpc, "\(text): \(said.message)", rpc: said)
        }
        return WorkflowClientError(.connectionLost, text)
    }

    private func fail(_ id: Int, _ error: any Error) {
        let continuation = state.withLockedValue { $0.pending.removeValue(forKey: id)?.continuation }
        continuation?.resume(throwing: error)
    }

    fileprivate enum Incoming {
        case line(ByteBuffer)
        case closed
    }

    fileprivate func handle(_ incoming: Incoming) {
        switch incoming {
        case .closed:
            let continuations = state.withLockedValue { state -> [CheckedContinuation<Result<JSON, RPCError>, any Error>] in
                state.closed = true
                defer { state.pending = [:] }
                return state.pending.values.compactMap(\.continuation)
            }
            for continuation in continuations {
                continuation.resume(throwing: lost("the connection to workflowd closed before the answer came"))
            }
            unsolicited(.closed)
        case .line(let buffer):
            guard let message = try? JSON(parsing: buffer.readableBytesView) else {
                unsolicited(.unreadable(String(buffer: buffer)))
                return
            }
            switch RPCIncoming(message) {
            case .response(let id, let result):
                if id == .null, case .failure(let error) = result {
                    state.withLockedValue { $0.refusal = error }
                } else if let pending = take(id) {
                    pending.whenAnswered?(result)
                    pending.continuation?.resume(returning: result)
                    return
                }
            case .invalid(let id, let error):
                // A malformed answer to one of ours fails that call, saying what was wrong.
                if let pending = take(id) {
                    pending.continuation?.resume(throwing: WorkflowClientError(.protocolViolation, "workflowd sent a malformed answer: \(error.message)"))
                    return
                }
            case .notification, .request:
                break
            }
            unsolicited(.message(message))
        }
    }

    /// The call waiting for the answer with `id`, taken off the table.
    private func take(_ id: RPCID) -> Pending? {
        guard let number = id.json.intValue else { return nil }
        return state.withLockedValue { $0.pending.removeValue(forKey: number) }
    }

    /// What went wrong, in a sentence (NIO's own text for a failed system call reads
    /// `connect(descriptor:addr:size:): No such file or directory) (errno: 2)`).
    static func describe(_ error: any Error) -> String {
        if let error = error as? IOError { return String(cString: strerror(error.errnoCode)) }
        return "\(error)"
    }

    /// Lines in; the connection's end.
    private final class LineHandler: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let deliver: @Sendable (Incoming) -> Void
        init(_ deliver: @escaping @Sendable (Incoming) -> Void) { self.deliver = deliver }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            deliver(.line(unwrapInboundIn(data)))
        }

        func channelInactive(context: ChannelHandlerContext) {
            deliver(.closed)
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}

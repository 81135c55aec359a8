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

/// One connection to the daemon. Answers are routed to their callers by id, so calls overlap;
/// event notifications go to their subscription's buffer. Lines are framed in the channel
/// pipeline; everything else is plain state behind a lock.
final class ClientConnection: Sendable {
    private let state = NIOLockedValueBox(State())
    private let channelBox = NIOLockedValueBox<(any Channel)?>(nil)
    private var channel: any Channel { channelBox.withLockedValue { $0! } }

    private struct State {
        var nextID = 1
        var pending: [Int: Pending] = [:]
        var subscriptions: [String: ClientEventBuffer] = [:]
        var closed = false
        /// An error the daemon sent with a null id (a refused connection says why before closing).
        var unsolicited: RPCError?
    }

    private struct Pending {
        var continuation: CheckedContinuation<Result<JSON, RPCError>, any Error>?
        /// For `events.subscribe`: the buffer to register, under the answer's subscription id,
        /// before any of its events is read.
        var subscription: ClientEventBuffer?
    }

    /// Connects to a Unix socket.
    /// - Throws: ``WorkflowClientError/Code/unreachable`` naming the path and the cause, or
    ///   ``WorkflowClientError/Code/accessDenied`` naming the group this user would need.
    static func connect(path: String, maximumLine: Int) async throws -> ClientConnection {
        let connection = ClientConnection()
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineBasedFrameDecoder(), maximumBufferSize: maximumLine))
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

    private init() {}

    var isOpen: Bool { !state.withLockedValue(\.closed) }

    /// Sends a request and waits for its answer.
    func call(_ method: String, _ params: JSON, subscription: ClientEventBuffer? = nil) async throws -> JSON {
        let id: Int? = state.withLockedValue { state in
            guard !state.closed else { return nil }
            defer { state.nextID += 1 }
            state.pending[state.nextID] = Pending(continuation: nil, subscription: subscription)
            return state.nextID
        }
        guard let id else { throw lost("the connection to workflowd is closed") }
        let answer: Result<JSON, RPCError> = try await withTaskCancellationHandler {
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
                let line = RPCOutgoing.line(RPCOutgoing.request(id: RPCID(id), method, params))
                var buffer = channel.allocator.buffer(capacity: line.count)
                buffer.writeBytes(line)
                channel.writeAndFlush(buffer).whenFailure { [weak self] error in
                    self?.fail(id, WorkflowClientError(.connectionLost, "cannot send \(method): \(Self.describe(error))"))
                }
            }
        } onCancel: {
            fail(id, CancellationError())
        }
        switch answer {
        case .success(let result): return result
        case .failure(let error): throw WorkflowClientError(error)
        }
    }

    /// Sends a request whose answer nobody waits for (an unsubscribe on the way out).
    func send(_ method: String, _ params: JSON) {
        let id: Int? = state.withLockedValue { state in
            guard !state.closed else { return nil }
            defer { state.nextID += 1 }
            state.pending[state.nextID] = Pending(continuation: nil, subscription: nil)
            return state.nextID
        }
        guard let id else { return }
        let line = RPCOutgoing.line(RPCOutgoing.request(id: RPCID(id), method, params))
        var buffer = channel.allocator.buffer(capacity: line.count)
        buffer.writeBytes(line)
        channel.writeAndFlush(buffer, promise: nil)
    }

    /// Forgets a subscription's buffer (its later events are dropped).
    func forget(subscription id: String) {
        _ = state.withLockedValue { $0.subscriptions.removeValue(forKey: id) }
    }

    func close() {
        channel.close(promise: nil)
    }

    /// A lost connection, with what the daemon said before it closed, if it said anything.
    private func lost(_ text: String) -> WorkflowClientError {
        if let said = state.withLockedValue(\.unsolicited) {
            return WorkflowClientError(.rpc, "\(text): \(said.message)", rpc: said)
        }
        return WorkflowClientError(.connectionLost, text)
    }

    private func fail(_ id: Int, _ error: any Error) {
        let continuation = state.withLockedValue { $0.pending.removeValue(forKey: id)?.continuation }
        continuation?.resume(throwing: error)
    }

    enum Incoming {
        case line(ByteBuffer)
        case closed
    }

    fileprivate func handle(_ incoming: Incoming) {
        switch incoming {
        case .closed:
            let (continuations, buffers) = state.withLockedValue { state -> ([CheckedContinuation<Result<JSON, RPCError>, any Error>], [ClientEventBuffer]) in
                state.closed = true
                defer {
                    state.pending = [:]
                    state.subscriptions = [:]
                }
                return (state.pending.values.compactMap(\.continuation), Array(state.subscriptions.values))
            }
            for continuation in continuations {
                continuation.resume(throwing: lost("the connection to workflowd closed before the answer came"))
            }
            for buffer in buffers { buffer.end(.connectionLost) }
        case .line(let buffer):
            // The protocol's own decoding of a message; what the daemon never sends a client (a
            // request, a line that is not JSON) is ignored.
            guard let message = try? JSON(parsing: buffer.readableBytesView) else { return }
            switch RPCIncoming(message) {
            case .notification(let method, let params):
                notification(method, params ?? .null)
            case .response(let id, .failure(let error)) where id == .null:
                // Said before closing (a refused connection says why).
                state.withLockedValue { $0.unsolicited = error }
            case .response(let id, let result):
                guard let number = id.json.intValue else { return }
                let pending = state.withLockedValue { state -> Pending? in
                    guard let pending = state.pending.removeValue(forKey: number) else { return nil }
                    if let buffer = pending.subscription, case .success(let answer) = result, let subscription = answer["subscription"]?.stringValue {
                        state.subscriptions[subscription] = buffer
                    }
                    return pending
                }
                pending?.continuation?.resume(returning: result)
            case .invalid(let id, let error):
                // A malformed answer to one of ours fails that call, saying what was wrong.
                guard let number = id.json.intValue else { return }
                fail(number, WorkflowClientError(.protocolViolation, "workflowd sent a malformed answer: \(error.message)"))
            case .request:
                return
            }
        }
    }

    private func notification(_ method: String, _ params: JSON) {
        guard let id = params["subscription"]?.stringValue,
              let buffer = state.withLockedValue({ $0.subscriptions[id] }) else { return }
        switch method {
        case EventMethods.Event.name:
            if let event = params["event"] { buffer.push(event) }
        case EventMethods.Overflow.name:
            forget(subscription: id)
            buffer.end(.overflow)
        case EventMethods.Closed.name:
            forget(subscription: id)
            // A reason this client does not know yet (a newer daemon) is taken as a shutdown: the
            // stream resumes rather than ends.
            let reason = (try? EventMethods.Closed.decode(params: params))?.reason ?? .shutdown
            buffer.end(reason == .deleted ? .deleted : .shutdown)
        default:
            break
        }
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

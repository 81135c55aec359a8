import NIOConcurrencyHelpers
import WorkflowJSON
import WorkflowProtocol

/// The client's connection: a ``WorkflowConnection`` whose event notifications go to their
/// subscription's buffer.
final class ClientConnection: Sendable {
    let connection: WorkflowConnection
    private let subscriptions: Subscriptions

    /// The buffers of this connection's subscriptions, by subscription id.
    private final class Subscriptions: Sendable {
        let buffers = NIOLockedValueBox<[String: ClientEventBuffer]>([:])

        func handle(_ incoming: WorkflowConnection.Unsolicited) {
            switch incoming {
            case .closed:
                let all = buffers.withLockedValue { buffers in
                    defer { buffers = [:] }
                    return Array(buffers.values)
                }
                for buffer in all { buffer.end(.connectionLost) }
            case .message(let message):
                // What the daemon never sends a client unasked (a request) is ignored.
                guard case .notification(let method, let params) = RPCIncoming(message) else { return }
                notification(method, params ?? .null)
            case .unreadable:
                return
            }
        }

        private func notification(_ method: String, _ params: JSON) {
            guard let id = params["subscription"]?.stringValue,
                  let buffer = buffers.withLockedValue({ $0[id] }) else { return }
            switch method {
            case EventMethods.Event.name:
                if let event = params["event"] { buffer.push(event) }
            case EventMethods.Overflow.name:
                _ = buffers.withLockedValue { $0.removeValue(forKey: id) }
                buffer.end(.overflow)
            case EventMethods.Closed.name:
                _ = buffers.withLockedValue { $0.removeValue(forKey: id) }
                // A reason this client does not know yet (a newer daemon) is taken as a shutdown:
                // the stream resumes rather than ends.
                let reason = (try? EventMethods.Closed.decode(params: params))?.reason ?? .shutdown
                buffer.end(reason == .deleted ? .deleted : .shutdown)
            default:
                break
            }
        }
    }

    /// Connects to a Unix socket.
    /// - Throws: see ``WorkflowConnection/connect(path:options:unsolicited:)``.
    static func connect(path: String, maximumLine: Int) async throws -> ClientConnection {
        let subscriptions = Subscriptions()
        let connection = try await WorkflowConnection.connect(path: path, options: .init(maximumLine: maximumLine)) { incoming in
            subscriptions.handle(incoming)
        }
        return ClientConnection(connection: connection, subscriptions: subscriptions)
    }

    private init(connection: WorkflowConnection, subscriptions: Subscriptions) {
        self.connection = connection
        self.subscriptions = subscriptions
    }

    var isOpen: Bool { connection.isOpen }

    /// Sends a request and waits for its result; for `events.subscribe`, `subscription` is
    /// registered under the answer's subscription id before any of its events is read.
    func call(_ method: String, _ params: JSON, subscription: ClientEventBuffer? = nil) async throws -> JSON {
        var whenAnswered: (@Sendable (Result<JSON, RPCError>) -> Void)?
        if let subscription {
            let buffers = subscriptions.buffers
            whenAnswered = { answer in
                if case .success(let result) = answer, let id = result["subscription"]?.stringValue {
                    buffers.withLockedValue { $0[id] = subscription }
                }
            }
        }
        switch try await connection.call(method, params, whenAnswered: whenAnswered) {
        case .success(let result): return result
        case .failure(let error): throw WorkflowClientError(error)
        }
    }

    /// Sends a request whose answer nobody waits for (an unsubscribe on the way out).
    func send(_ method: String, _ params: JSON) {
        connection.post(method, params)
    }

    /// Forgets a subscription's buffer (its later events are dropped).
    func forget(subscription id: String) {
        _ = subscriptions.buffers.withLockedValue { $0.removeValue(forKey: id) }
    }

    func close() {
        connection.close()
    }
}

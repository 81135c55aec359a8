import WorkflowJSON
import WorkflowProtocol

/// A client of workflowd over its Unix socket: every method of the protocol as an async call on
/// the protocol's own types, many calls at once over one connection, and event streams that
/// survive a daemon restart.
///
/// ```swift
/// let socket = SocketLocator(environment: ProcessInfo.processInfo.environment).path(explicit: nil)
/// let client = WorkflowClient(socketPath: socket)
/// let run = try await client.startRun(on: "review", input: ["topic": "Swift"], definition: "review")
/// for try await event in client.events(of: "review", after: 0) where event.runId == run.runId {
///     print(event.seq, event.type)
/// }
/// let requests = try await client.requests(of: "review")
/// try await client.respond(on: "review", to: requests[0].id, with: ["approved": true])
/// await client.close()
/// ```
///
/// The connection is made on the first call and made again, on the next call, after it is lost;
/// a call in flight when it is lost fails with ``WorkflowClientError/Code/connectionLost`` (it is
/// not sent twice). Errors the daemon answers with are ``WorkflowClientError``s whose ``WorkflowClientError/rpc``
/// carries the JSON-RPC code and data.
public actor WorkflowClient {
    /// How the client connects.
    public struct Configuration: Sendable {
        /// The daemon's socket (see ``SocketLocator``).
        public var socketPath: String
        /// The longest line accepted from the daemon.
        public var maximumLine: Int
        /// How long an event stream keeps trying to reach a daemon that went away.
        public var reconnectTimeout: Duration
        /// Events a stream holds unread before it lets go of them and catches up from the log.
        public var subscriptionBuffer: Int

        /// Makes a configuration for the daemon at `socketPath`; the limits have defaults a daemon's answers
        /// fit in.
        public init(socketPath: String, maximumLine: Int = 64 << 20, reconnectTimeout: Duration = .seconds(60),
                    subscriptionBuffer: Int = 10_000) {
            self.socketPath = socketPath
            self.maximumLine = maximumLine
            self.reconnectTimeout = reconnectTimeout
            self.subscriptionBuffer = subscriptionBuffer
        }
    }

    /// How this client connects.
    public nonisolated let configuration: Configuration
    private var connection: ClientConnection?

    /// Makes a client; it connects on its first call.
    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// Makes a client of the daemon at `socketPath` (see ``SocketLocator`` to find it); it connects on its
    /// first call.
    public init(socketPath: String) {
        self.init(configuration: Configuration(socketPath: socketPath))
    }

    /// Closes the connection (a later call opens a new one).
    public func close() {
        connection?.close()
        connection = nil
    }

    /// The open connection, or a new one.
    private func open() async throws -> ClientConnection {
        if let connection, connection.isOpen { return connection }
        let connection = try await ClientConnection.connect(path: configuration.socketPath, maximumLine: configuration.maximumLine)
        self.connection = connection
        return connection
    }

    /// Calls a method of the protocol with its typed params and returns its typed result.
    /// - Throws: ``WorkflowClientError``.
    public func call<Method: RPCMethod>(_ method: Method.Type, _ params: Method.Params) async throws -> Method.Result {
        let result = try await call(method.name, try method.encode(params: params))
        do {
            return try method.decode(result: result)
        } catch {
            throw WorkflowClientError(.protocolViolation, "workflowd answered \(method.name) with a result this client cannot read: \(error)")
        }
    }

    /// Calls a method by name with raw params (for methods this client does not know yet).
    public func call(_ method: String, _ params: JSON) async throws -> JSON {
        try await open().call(method, params)
    }

    /// Subscribes on the current connection, reconnecting (with backoff, up to the reconnect
    /// timeout) while the daemon is unreachable or restarting.
    func subscribe(params: JSON, buffer: ClientEventBuffer) async throws -> (ClientConnection, JSON) {
        let clock = ContinuousClock()
        let deadline = clock.now + configuration.reconnectTimeout
        var delay = Duration.milliseconds(20)
        while true {
            do {
                let connection = try await open()
                return (connection, try await connection.call(EventMethods.Subscribe.name, params, subscription: buffer))
            } catch let error as WorkflowClientError where Self.isTransient(error) && clock.now < deadline {
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(1))
            }
        }
    }

    /// Errors after which a stream tries again: the daemon is gone, restarting or stopping.
    static func isTransient(_ error: WorkflowClientError) -> Bool {
        error.code == .unreachable || error.code == .connectionLost || error.rpcCode == .shuttingDown
    }

    /// The instance's events after `afterSeq` (nil: only new ones), live, resuming across
    /// reconnects. See ``EventStream``.
    public nonisolated func events(of instance: String, after afterSeq: UInt64? = nil) -> EventStream {
        EventStream(client: self, instance: instance, afterSeq: afterSeq)
    }
}

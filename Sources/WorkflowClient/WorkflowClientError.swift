import WorkflowProtocol

/// Why a call failed: the daemon answered with an error (``rpc`` holds its code and data), or the
/// daemon could not be reached or went away. `code` is an open set, so new codes never break a
/// `switch`.
public struct WorkflowClientError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure it was.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case rpc, unreachable, accessDenied, connectionLost, protocolViolation, eventsMissed, timedOut
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The daemon answered with a JSON-RPC error (see ``WorkflowClientError/rpc``).
        public static let rpc = Code(.rpc)
        /// No daemon answers on the socket (it does not exist, or nobody listens).
        public static let unreachable = Code(.unreachable)
        /// The socket is there, but this user may not connect to it (not in its group).
        public static let accessDenied = Code(.accessDenied)
        /// The connection closed before the answer came.
        public static let connectionLost = Code(.connectionLost)
        /// The daemon sent something that is not the protocol.
        public static let protocolViolation = Code(.protocolViolation)
        /// Events a subscription asked for are no longer in the daemon's log.
        public static let eventsMissed = Code(.eventsMissed)
        /// A wait with a deadline ran out.
        public static let timedOut = Code(.timedOut)

        public var description: String { base.rawValue }
    }

    /// What kind of failure it is.
    public var code: Code
    /// A sentence that names the problem.
    public var message: String
    /// The daemon's error, when ``code`` is ``Code/rpc``.
    public var rpc: RPCError?

    /// Makes an error.
    public init(_ code: Code, _ message: String, rpc: RPCError? = nil) {
        self.code = code
        self.message = message
        self.rpc = rpc
    }

    /// An error the daemon answered with.
    public init(_ error: RPCError) {
        self.init(.rpc, error.message, rpc: error)
    }

    /// The daemon's error code, if the daemon answered with an error.
    public var rpcCode: RPCError.Code? { rpc?.code }

    public var description: String { message }
}

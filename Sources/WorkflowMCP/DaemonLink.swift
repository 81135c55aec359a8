import WorkflowClient
import WorkflowJSON
import WorkflowProtocol

/// The MCP server's connection to the daemon: made on first use, made again once when a call
/// finds it closed (an assistant may sit idle for hours, and the daemon may have restarted).
final class DaemonLink {
    let socketPath: String
    private var connection: BlockingConnection?
    /// A read may wait as long as the longest run.wait a tool asks for, and then some.
    static let timeout: Duration = .seconds(660)

    init(socketPath: String) {
        self.socketPath = socketPath
    }

    /// Calls `method`; daemon errors are thrown as ``WorkflowClientError``.
    func call(_ method: String, _ params: JSON) throws -> JSON {
        try withConnection { try $0.call(method, params) }
    }

    /// Calls a typed method.
    func call<Method: RPCMethod>(_ method: Method.Type, _ params: Method.Params) throws -> Method.Result {
        try withConnection { try $0.call(method, params) }
    }

    private func withConnection<T>(_ body: (BlockingConnection) throws -> T) throws -> T {
        do {
            return try body(try current())
        } catch where Self.brokeTheConnection(error) {
            // The connection broke (this is not the daemon's answer): once more, on a new one.
            connection = nil
            return try body(try current())
        }
    }

    /// Whether `error` is the connection's rather than the daemon's answer (nor a slow daemon).
    static func brokeTheConnection(_ error: any Error) -> Bool {
        guard let clientError = error as? WorkflowClientError else { return false }
        return clientError.rpc == nil && clientError.code != .timedOut
    }

    private func current() throws -> BlockingConnection {
        if let connection { return connection }
        let made = try BlockingConnection(path: socketPath, timeout: Self.timeout)
        connection = made
        return made
    }
}

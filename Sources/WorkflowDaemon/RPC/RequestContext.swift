import Logging

/// What a handler gets besides its params: the daemon, the connection, a logger that says which
/// method and which peer.
struct RequestContext: Sendable {
    let daemon: DaemonContext
    let connection: ConnectionContext
    let logger: Logger

    var peer: Peer { connection.peer }
    var registry: InstanceRegistry { daemon.registry }

    /// Runs `body` with the instance leased (loaded, checked against the peer), then gives it back.
    func withInstance<T: Sendable>(_ name: String, _ body: (InstanceLease) async throws -> T) async throws -> T {
        let lease = try await registry.acquire(name, peer: peer)
        do {
            let result = try await body(lease)
            await registry.release(lease)
            return result
        } catch {
            await registry.release(lease)
            throw error
        }
    }
}

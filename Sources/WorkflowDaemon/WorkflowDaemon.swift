#if canImport(Glibc)
import Glibc
#endif
import Logging
import NIOCore
import NIOExtras
import NIOPosix
import ServiceLifecycle
import UnixSignals
import WorkflowEngine
import WorkflowProtocol
import WorkflowStore

/// workflowd: named, reusable workflow instances driven over JSON-RPC 2.0 on a Unix socket
/// (DESIGN.md §1, §3, §5, §6). A swift-service-lifecycle `Service`:
///
/// ```swift
/// let daemon = WorkflowDaemon(configuration: configuration) { ready in logger.notice("listening on \(ready.socketPath)") }
/// try await ServiceGroup(services: [daemon], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger).run()
/// ```
///
/// On start it opens the database, loads the definitions, takes up the instances a restart
/// must (runs in progress, queued runs, accepted responses), binds the socket, and calls
/// `onReady`. On graceful shutdown it stops accepting, refuses new requests (-32012), suspends
/// active runs at their last checkpoint (they resume on the next start), tells every subscriber
/// (`events.closed`), answers what is in progress, and returns. SIGHUP re-reads the definitions.
public final class WorkflowDaemon: Service {
    /// The methods this daemon serves (the OpenRPC document lists exactly these).
    public static var servedMethods: [String] { Handlers.dispatcher().methods }

    /// What the daemon says once it serves.
    public struct Ready: Sendable {
        public var socketPath: String
        public var instancesRecovered: Int
        public var definitions: Int
    }

    public let configuration: DaemonConfiguration
    private let onReady: @Sendable (Ready) async -> Void

    public init(configuration: DaemonConfiguration, onReady: @escaping @Sendable (Ready) async -> Void = { _ in }) {
        self.configuration = configuration
        self.onReady = onReady
    }

    public func run() async throws {
        let logger = configuration.logger
        let stateDirectory = configuration.stateDirectory
        try await Blocking.run { try SocketPath.makeDirectories(stateDirectory) }
        let store = try await SQLiteStore.open(path: configuration.databasePath,
                                               configuration: .init(durability: configuration.durability,
                                                                    checkpointRetention: configuration.checkpointRetention,
                                                                    eventRetention: configuration.eventRetention))
        let shared = GroupCommitStore(store)
        let catalog = DefinitionCatalog(directory: configuration.definitionsDirectory, logger: logger)
        await catalog.reload()
        let registry = InstanceRegistry(store: store, shared: shared, catalog: catalog, configuration: configuration)
        await registry.recoverAtStart()
        let recovered = await registry.loadedCount

        let socketPath = configuration.socketPath
        try await Blocking.run { try SocketPath.prepare(socketPath) }
        let server = try await bind(socketPath)
        chmod(socketPath, mode_t(configuration.socketMode))
        let daemon = DaemonContext(configuration: configuration, store: store, shared: shared, catalog: catalog, registry: registry,
                                   socketPath: socketPath)
        let dispatcher = Handlers.dispatcher()
        await onReady(Ready(socketPath: socketPath, instancesRecovered: recovered, definitions: await catalog.current.count))

        try await withThrowingDiscardingTaskGroup { group in
            // Shutdown: stop accepting, suspend runs and end subscriptions (subscribers are told),
            // then stop reading from connections, which answer what they have and close.
            group.addTask {
                try? await gracefulShutdown()
                daemon.beginStopping()
                logger.notice("stopping: no new connections or requests; suspending active runs")
                try? await server.channel.close()
                await registry.suspendAll()
                daemon.connections.closeAllInputs()
            }
            // SIGHUP re-reads the definitions.
            group.addTask {
                for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
                    let (names, problems) = await catalog.reload()
                    logger.notice("definitions reloaded (SIGHUP)", metadata: ["count": "\(names.count)", "errors": "\(problems.count)"])
                }
            }
            try await server.executeThenClose { inbound in
                for try await (channel, peer) in inbound {
                    group.addTask { await Self.serve(channel, peer: peer, daemon: daemon, dispatcher: dispatcher) }
                }
            }
        }
        unlink(socketPath)
        logger.notice("stopped")
    }

    /// Binds the Unix socket; each accepted connection is framed (NDJSON, capped) and its peer read.
    private func bind(_ path: String) async throws -> NIOAsyncChannel<(NIOAsyncChannel<ByteBuffer, ByteBuffer>, Peer), Never> {
        let maxLine = configuration.limits.maxLineBytes
        return try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .bind(unixDomainSocketPath: path) { channel in
                Peer.of(channel).flatMapThrowing { peer in
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineBasedFrameDecoder(), maximumBufferSize: maxLine))
                    let wrapped = try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel,
                                                                             configuration: .init(isOutboundHalfClosureEnabled: false))
                    return (wrapped, peer)
                }
            }
    }

    /// Serves one connection, within the connection limits.
    private static func serve(_ channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>, peer: Peer, daemon: DaemonContext,
                              dispatcher: Dispatcher) async {
        switch daemon.connections.open(uid: peer.uid, channel: channel.channel) {
        case .failure(let error):
            // Told why, then closed.
            try? await channel.executeThenClose { _, outbound in
                try await outbound.write(ByteBuffer(bytes: RPCOutgoing.line(RPCOutgoing.error(id: .null, error.rpcError))))
            }
            daemon.logger.warning("a connection was refused", metadata: ["peer.uid": "\(peer.uid)", "error": "\(error.rpcError.message)"])
        case .success(let id):
            let context = ConnectionContext(id: id, peer: peer, writer: ConnectionWriter(limit: daemon.limits.maxQueuedBytesPerConnection))
            if daemon.isStopping { channel.channel.close(mode: .input, promise: nil) }
            await Connection(channel: channel, context: context, daemon: daemon, dispatcher: dispatcher).run()
            daemon.connections.close(id: id, uid: peer.uid)
            daemon.logger.debug("a connection closed", metadata: ["peer.uid": "\(peer.uid)"])
        }
    }
}

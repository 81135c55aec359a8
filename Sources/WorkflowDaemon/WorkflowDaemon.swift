#if canImport(Glibc)
import Glibc
#endif
import Logging
import NIOCore
import NIOExtras
import NIOPosix
import ServiceLifecycle
import SystemdSupport
import UnixSignals
import WorkflowConcurrency
import WorkflowDefinitions
import WorkflowEngine
import WorkflowExecutors
import WorkflowProtocol
import WorkflowStore

/// workflowd: named, reusable workflow instances driven over JSON-RPC 2.0 on a Unix socket
/// (docs/semantics.md §1, §3, §5, §6). A swift-service-lifecycle `Service`:
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
        /// Whether the socket was handed over (socket activation) rather than bound by the daemon.
        public var socketActivated: Bool
        public var instancesRecovered: Int
        public var definitions: Int
        /// Where the metrics are served over HTTP (a TCP port 0 given as the port taken), if they are.
        public var metricsAddress: String?
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
        try await BlockingWork.run { try SocketPath.makeDirectories(stateDirectory) }
        let lease = configuration.lease.components
        let storeConfiguration = StoreConfiguration(durability: configuration.durability, checkpointRetention: configuration.checkpointRetention,
                                                    eventRetention: configuration.eventRetention,
                                                    host: configuration.postgres == nil ? nil : configuration.hostID,
                                                    lease: Double(lease.seconds) + Double(lease.attoseconds) / 1e18)
        let store: any InstanceStore
        if let location = configuration.postgres {
            store = try await PostgresStore.open(location, configuration: storeConfiguration, exclusive: true, logger: logger)
        } else {
            store = try await SQLiteStore.open(path: configuration.databasePath, configuration: storeConfiguration, exclusive: true)
        }
        let metrics = DaemonMetrics(startedAt: Timestamp.now())
        let tracer = configuration.tracer
        let shared = GroupCommitStore(store) { instances, duration in
            metrics.committed(instances: instances, duration: duration)
            if let tracer { CommitSpan.record(instances: instances, duration: duration, tracer: tracer) }
        }
        let catalog = DefinitionCatalog(directory: configuration.definitionsDirectory, settings: configuration.definitionSettings, logger: logger)
        await catalog.reload()
        let lifecycle = DaemonLifecycle()
        let registry = InstanceRegistry(store: store, shared: shared, catalog: catalog, configuration: configuration, lifecycle: lifecycle,
                                        metrics: metrics)
        // With several hosts: an instance another host took over is dropped here at once.
        store.observeFencing { name in Task { await registry.fenced(name) } }
        // Told by the store's commits from now on, so no wait armed during recovery is missed.
        let timers = TimerService(store: store, registry: registry, logger: logger)
        var instances = InstanceService(registry: registry, store: store, catalog: catalog, logger: logger)
        instances.wakesChanged = { timers.changed($0) }
        let relay = store.hostID == nil ? nil : CommandRelay(store: store, logger: logger)
        instances.relay = relay
        let schedules = ScheduleService(store: store, instances: instances, logger: logger)
        // The files' schedules as declared now (an unchanged one keeps its next fire, so what
        // was missed while the daemon was down is caught up).
        for problem in await schedules.sync(catalog.current) {
            logger.error("a declared schedule was not taken", metadata: ["file": "\(problem.file)", "error": "\(problem.message)"])
        }
        // Recovery may take a while with many interrupted runs: say so, and ask for the time.
        configuration.notifier.notify(.status("starting: recovering interrupted runs"), .extendTimeout(microseconds: 60_000_000))
        await registry.recoverAtStart()
        let recovered = await registry.loadedCount

        let socketPath = configuration.socketPath
        let server: NIOAsyncChannel<(NIOAsyncChannel<ByteBuffer, ByteBuffer>, Peer), Never>
        if let descriptor = configuration.adoptedSocket {
            // Socket activation: the socket unit owns the path (and keeps it after we stop).
            server = try await bind(adopted: descriptor)
            logger.debug("serving on the socket handed over by socket activation", metadata: ["fd": "\(descriptor)", "socket": "\(socketPath)"])
        } else {
            try await BlockingWork.run { try SocketPath.prepare(socketPath) }
            server = try await bind(socketPath)
            chmod(socketPath, mode_t(configuration.socketMode))
        }
        let daemon = DaemonContext(configuration: configuration, store: store, shared: shared, catalog: catalog, registry: registry,
                                   schedules: schedules, socketPath: socketPath, relay: relay)
        let dispatcher = Handlers.dispatcher()
        // The metrics endpoint is bound before READY=1: a port taken fails the start, loudly.
        var metricsServer: (MetricsEndpoint.Server, String)?
        if let place = configuration.metricsListen {
            do {
                metricsServer = try await MetricsEndpoint.bind(place)
            } catch {
                throw DaemonStartFailure("cannot serve the metrics on \(place): \(error)")
            }
        }
        // SIGHUP is trapped before READY=1: from then on systemd (or an operator) may send it,
        // and its default action would end the process.
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        // The database is open, recovery has begun, the socket accepts (connections wait in its
        // backlog until they are taken): ready.
        if lifecycle.transition({ $0.startedServing() }) == .notifyReady {
            configuration.notifier.notify(.ready, .status(await daemon.statusLine()))
        }
        await onReady(Ready(socketPath: socketPath, socketActivated: configuration.adoptedSocket != nil, instancesRecovered: recovered,
                            definitions: await catalog.current.count, metricsAddress: metricsServer?.1))

        let configuration = self.configuration
        let hosts = store.hostID == nil ? nil : HostService(store: store, registry: registry, lease: configuration.lease,
                                                             idleRelease: configuration.idleRelease, logger: logger)
        try await withThrowingDiscardingTaskGroup { group in
            // Shutdown: tell systemd, stop accepting, let supersteps in flight finish (within the
            // grace) and suspend runs, end subscriptions (subscribers are told), then stop
            // reading from connections, which answer what they have and close.
            group.addTask {
                try? await gracefulShutdown()
                guard lifecycle.transition({ $0.stopBegins() }) == .drain else {
                    await hosts?.leave()
                    return
                }
                configuration.notifier.notify(.stopping, .status("stopping: finishing supersteps in flight, then suspending runs"))
                logger.notice("stopping: no new connections or requests; suspending active runs",
                              metadata: ["grace": "\(configuration.stopGrace)"])
                try? await server.channel.close()
                await Self.suspendAll(registry, configuration: configuration, logger: logger)
                // With several hosts, the others take the suspended runs up now, not after the lease.
                await hosts?.leave()
                daemon.connections.closeAllInputs()
                // Connections answer what they have and close; one whose peer does not read
                // would never finish sending: after a moment, every connection is closed.
                if await !daemon.connections.allClosed(within: .seconds(2)) {
                    logger.notice("closed connections whose peers did not read what was left to send")
                }
                lifecycle.transition { $0.drained() }
            }
            // SIGHUP re-reads the definitions.
            group.addTask {
                for await _ in hangups.cancelOnGracefulShutdown() {
                    // Refused only once a stop began, when this loop ends anyway.
                    _ = try? await daemon.reloadDefinitions(trigger: "SIGHUP")
                }
            }
            // Health: the watchdog's ping and STATUS= come from a check that goes through the
            // event loop, the registry and the database, so a wedged daemon stops pinging.
            group.addTask {
                try? await cancelWhenGracefulShutdown {
                    try await Self.health(daemon: daemon, eventLoop: server.channel.eventLoop)
                }
            }
            // Waits that come due fire (those due while the daemon was down, at once).
            group.addTask {
                await cancelWhenGracefulShutdown { await timers.run() }
            }
            // With several hosts: the heartbeat (on while stopping, until the host leaves),
            // takeovers, and idle instances released.
            if let hosts { group.addTask { await hosts.run() } }
            // With several hosts: requests passed on by the others are applied, notices heard.
            if let relay {
                group.addTask {
                    await cancelWhenGracefulShutdown { await relay.serve { command in await dispatcher.apply(command, daemon: daemon) } }
                }
                group.addTask {
                    await cancelWhenGracefulShutdown {
                        await store.listen { notice in
                            switch notice {
                            case .events(let instance): daemon.logTails.ring(instance)
                            case .watch(let instance): store.noteWatched(instance: instance)
                            case .commands, .answer: relay.heard(notice)
                            }
                        }
                    }
                }
            }
            // Scrapers read the metrics (until the stop begins).
            if let (metrics, _) = metricsServer {
                let endpoint = MetricsEndpoint(exposition: { try await daemon.metricsExposition() }, logger: logger)
                group.addTask {
                    do {
                        try await cancelWhenGracefulShutdown { try await endpoint.run(metrics) }
                    } catch is CancellationError {
                    } catch {
                        logger.error("the metrics endpoint stopped serving", metadata: ["error": "\(error)"])
                    }
                }
            }
            // Schedules fire (those missed while the daemon was down, as each one's catch-up says).
            group.addTask {
                await cancelWhenGracefulShutdown { await schedules.run() }
            }
            // Memory a burst freed goes back to the system instead of staying resident for months.
            if let interval = configuration.memoryTrimInterval {
                group.addTask {
                    try? await cancelWhenGracefulShutdown {
                        try await Self.trimMemory(every: interval, logger: logger)
                    }
                }
            }
            try await server.executeThenClose { inbound in
                for try await (channel, peer) in inbound {
                    group.addTask { await Self.serve(channel, peer: peer, daemon: daemon, dispatcher: dispatcher) }
                }
            }
        }
        if configuration.adoptedSocket == nil { unlink(socketPath) }
        if case .unix(let path)? = configuration.metricsListen { unlink(path) }
        logger.notice("stopped")
    }

    /// Binds the Unix socket; each accepted connection is framed (NDJSON, capped) and its peer read.
    private func bind(_ path: String) async throws -> NIOAsyncChannel<(NIOAsyncChannel<ByteBuffer, ByteBuffer>, Peer), Never> {
        try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelOption(.writeBufferWaterMark, value: Self.writeWaterMark)
            .bind(unixDomainSocketPath: path, childChannelInitializer: connectionInitializer)
    }

    /// Serves on a listening socket handed over by socket activation.
    private func bind(adopted descriptor: Int32) async throws -> NIOAsyncChannel<(NIOAsyncChannel<ByteBuffer, ByteBuffer>, Peer), Never> {
        try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelOption(.writeBufferWaterMark, value: Self.writeWaterMark)
            .bind(descriptor, childChannelInitializer: connectionInitializer)
    }

    /// What NIO holds for a connection beyond what the kernel took before the connection's writer
    /// waits (NIO's default is 32–64 KiB): a thousand connections that never read hold little.
    static let writeWaterMark = ChannelOptions.Types.WriteBufferWaterMark(low: 8 << 10, high: 16 << 10)

    /// Each accepted connection: framed (NDJSON, capped), its peer's credentials read.
    private var connectionInitializer: @Sendable (any Channel) -> EventLoopFuture<(NIOAsyncChannel<ByteBuffer, ByteBuffer>, Peer)> {
        let maxLine = configuration.limits.maxLineBytes
        return { channel in
            Peer.of(channel).flatMapThrowing { peer in
                try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineBasedFrameDecoder(), maximumBufferSize: maxLine))
                let wrapped = try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel,
                                                                         configuration: .init(isOutboundHalfClosureEnabled: false))
                return (wrapped, peer)
            }
        }
    }

    /// The daemon's health check, at half the watchdog interval (or the status interval): a hop
    /// through the event loop that serves the socket, the instance registry's actor and the
    /// database. Only once all three answered does `WATCHDOG=1` go out, so a wedged loop, a
    /// deadlocked actor or a stuck database stops the pings and systemd restarts the daemon. The
    /// same pass refreshes STATUS= when it changed.
    static func health(daemon: DaemonContext, eventLoop: any EventLoop) async throws {
        let configuration = daemon.configuration
        let period = min(configuration.watchdogInterval.map(Watchdog.pingPeriod) ?? configuration.statusInterval, configuration.statusInterval)
        let clock = ContinuousClock()
        var lastStatus = ""
        var lastStatusAt = clock.now
        while true {
            try await Task.sleep(for: period)
            try await eventLoop.submit {}.get()
            _ = await daemon.registry.loadedCount
            do {
                try await daemon.store.ping()
            } catch {
                daemon.logger.error("health check: the database does not answer; no watchdog ping", metadata: ["error": "\(error)"])
                continue
            }
            if configuration.watchdogInterval != nil { configuration.notifier.notify(.watchdog) }
            if clock.now - lastStatusAt >= configuration.statusInterval || lastStatus.isEmpty {
                let status = await daemon.statusLine()
                if status != lastStatus { configuration.notifier.notify(.status(status)) }
                lastStatus = status
                lastStatusAt = clock.now
            }
        }
    }

    /// Suspends every active run (supersteps in flight have the stop grace to finish), and kills
    /// the programs of steps that are still running once the grace and the kill delay have
    /// passed: the daemon, not its service manager, ends what it started (with KillMode=mixed,
    /// systemd sends SIGTERM to the daemon alone).
    ///
    /// The kill does not end the wait: a run whose step was killed still records its suspension
    /// (its last events, "suspended a run") before the daemon goes on, within one more kill delay.
    static func suspendAll(_ registry: InstanceRegistry, configuration: DaemonConfiguration, logger: Logger) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await registry.suspendAll(grace: configuration.stopGrace) }
            group.addTask {
                guard (try? await Task.sleep(for: configuration.stopGrace + configuration.stopKillDelay)) != nil else { return }
                let killed = ProcessGroups.signalAll(SIGKILL)
                if killed > 0 {
                    logger.warning("killed the programs of steps that did not end on SIGTERM",
                                   metadata: ["processGroups": "\(killed)", "after": "\(configuration.stopGrace + configuration.stopKillDelay)"])
                }
                guard (try? await Task.sleep(for: configuration.stopKillDelay)) != nil else { return }
                logger.error("runs did not record their suspension after their steps were killed; they resume from their last checkpoint",
                             metadata: ["after": "\(configuration.stopGrace + configuration.stopKillDelay * 2)"])
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// Returns freed memory to the system every `interval` (see ``Allocator/trim()``).
    static func trimMemory(every interval: Duration, logger: Logger) async throws {
        while true {
            try await Task.sleep(for: interval)
            let (before, after) = await Allocator.trim()
            if let before, let after, before - after >= 1 << 20 {
                logger.debug("returned freed memory to the system",
                             metadata: ["rss.before.mib": "\(before >> 20)", "rss.after.mib": "\(after >> 20)"])
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
            let context = ConnectionContext(id: id, peer: peer, writer: ConnectionWriter(limit: daemon.limits.maxQueuedBytes,
                                                                                              budget: daemon.queueBudget))
            if daemon.isStopping { channel.channel.close(mode: .input, promise: nil) }
            // The connection's requests, the instances they call and the runs they start run on
            // the event loop that reads them (see EventLoopTaskExecutor).
            let executor = EventLoopTaskExecutor(channel.channel.eventLoop)
            await withTaskExecutorPreference(executor) {
                await RunExecution.$preferredExecutor.withValue(executor) {
                    await Connection(channel: channel, context: context, daemon: daemon, dispatcher: dispatcher).run()
                }
            }
            daemon.connections.close(id: id, uid: peer.uid)
            daemon.logger.debug("a connection closed", metadata: ["peer.uid": "\(peer.uid)"])
        }
    }
}

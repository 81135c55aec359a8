import WorkflowJSON
import Logging
import Synchronization
import SystemdSupport
import WorkflowEngine
import WorkflowProtocol
import WorkflowStore

/// What every request handler may use: the store, the definitions, the instances, the
/// configuration, and the daemon's counters.
final class DaemonContext: Sendable {
    let configuration: DaemonConfiguration
    let store: any InstanceStore
    let shared: GroupCommitStore
    let catalog: DefinitionCatalog
    let registry: InstanceRegistry
    /// What callers may do with instances (the handlers' one call each).
    let instances: InstanceService
    /// Schedules: the `schedule.*` methods, and the fires.
    let schedules: ScheduleService
    let connections: ConnectionCounter
    /// The bytes all connections may have waiting (``DaemonLimits/maxQueuedBytesTotal``).
    let queueBudget: QueueBudget
    /// Events serialized once for all their subscribers.
    let eventBytes = EventBytesCache()
    let startedAt: Double
    /// The socket the daemon listens on (as bound, or as handed over).
    let socketPath: String
    /// The daemon's phase (``DaemonPhase``), shared with the registry.
    let lifecycle: DaemonLifecycle
    /// Requests for instances another host owns (several hosts only).
    let relay: CommandRelay?
    /// Subscriptions here to instances another host owns, woken by its commits' announcements.
    let logTails = LogTails()
    /// The daemon's metrics (``DaemonMetrics``); the registry counts into the same.
    var metrics: DaemonMetrics { registry.metrics }
    private let subscriptionCount = Atomic<Int>(0)

    init(configuration: DaemonConfiguration, store: any InstanceStore, shared: GroupCommitStore, catalog: DefinitionCatalog,
         registry: InstanceRegistry, schedules: ScheduleService, socketPath: String, relay: CommandRelay? = nil) {
        self.relay = relay
        self.configuration = configuration
        self.lifecycle = registry.lifecycle
        self.store = store
        self.shared = shared
        self.catalog = catalog
        self.registry = registry
        self.instances = schedules.instances
        self.schedules = schedules
        self.connections = ConnectionCounter(limits: configuration.limits)
        self.queueBudget = QueueBudget(limit: configuration.limits.maxQueuedBytesTotal)
        self.startedAt = Timestamp.now()
        self.socketPath = socketPath
    }

    var logger: Logger { configuration.logger }
    var limits: DaemonLimits { configuration.limits }

    /// Whether a graceful stop began (``DaemonPhase/isStopping``).
    var isStopping: Bool { lifecycle.isStopping }

    var notifier: any ServiceNotifier { configuration.notifier }

    /// Re-reads the definitions, telling the service manager (RELOADING=1 with MONOTONIC_USEC,
    /// then READY=1 and a new STATUS=, once for overlapping reloads). SIGHUP and `daemon.reload`
    /// both come here.
    /// - Throws: ``DaemonError/shuttingDown`` once a stop began (nothing is re-read).
    func reloadDefinitions(trigger: String) async throws -> (definitions: [String], problems: [DefinitionProblem]) {
        switch lifecycle.transition({ $0.reloadBegins() }) {
        case .refuse: throw DaemonError.shuttingDown
        case .reload: break
        case .notifyReloadingAndReload:
            notifier.notify(.reloading(monotonicMicroseconds: MonotonicClock.microseconds()), .status("reloading definitions (\(trigger))"))
        }
        var (names, problems) = await catalog.reload()
        problems += await schedules.sync(catalog.current)
        logger.notice("definitions reloaded (\(trigger))", metadata: ["count": "\(names.count)", "errors": "\(problems.count)"])
        switch lifecycle.transition({ $0.reloadEnded() }) {
        case .notifyReady: notifier.notify(.ready, .status(await statusLine()))
        case .none: break
        }
        return (names, problems)
    }

    /// What STATUS= says: a short summary of what the daemon holds and does.
    func statusLine() async -> String {
        var active = 0
        for instance in await registry.loadedInstances where await instance.activeRunID != nil { active += 1 }
        let loaded = await registry.loadedCount
        let definitions = await catalog.current.count
        // Read through the index of paused instances: cheap however many are stored.
        let paused = (try? await store.pausedCount()) ?? 0
        return "serving: \(loaded) instance\(loaded == 1 ? "" : "s") loaded, \(active) active run\(active == 1 ? "" : "s"), "
            + (paused > 0 ? "\(paused) paused, " : "")
            + "\(connections.open) connection\(connections.open == 1 ? "" : "s"), \(definitions) definition\(definitions == 1 ? "" : "s")"
    }

    /// The metrics in Prometheus' text format, with what the daemon holds now.
    func metricsExposition() async throws -> String {
        var snapshot = DaemonMetricsSnapshot()
        let now = Timestamp.now()
        var oldest: Double?
        for instance in await registry.loadedInstances {
            let gauges = await instance.gauges
            snapshot.instancesLoaded += 1
            if gauges.running { snapshot.activeRuns += 1 }
            snapshot.openRequests += gauges.openRequests
            snapshot.timersArmed += gauges.waits
            if let time = gauges.oldestRequestTime { oldest = min(oldest ?? time, time) }
        }
        snapshot.oldestOpenRequestAge = oldest.map { max(0, now - $0) } ?? 0
        snapshot.instancesStored = try await store.instanceCount()
        snapshot.connections = connections.open
        snapshot.subscriptions = subscriptions
        snapshot.definitions = await catalog.current.count
        return metrics.exposition(snapshot)
    }

    var subscriptions: Int { subscriptionCount.load(ordering: .relaxed) }
    func subscriptionOpened() { subscriptionCount.add(1, ordering: .relaxed) }
    func subscriptionClosed() { subscriptionCount.subtract(1, ordering: .relaxed) }
}

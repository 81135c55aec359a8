import WorkflowJSON
import Logging
import Synchronization
import WorkflowStore

/// What every request handler may use: the store, the definitions, the instances, the
/// configuration, and the daemon's counters.
final class DaemonContext: Sendable {
    let configuration: DaemonConfiguration
    let store: SQLiteStore
    let shared: GroupCommitStore
    let catalog: DefinitionCatalog
    let registry: InstanceRegistry
    let connections: ConnectionCounter
    let startedAt: Double
    /// The socket the daemon listens on (as bound, or as handed over).
    let socketPath: String
    private let stopping = Atomic<Bool>(false)
    private let subscriptionCount = Atomic<Int>(0)

    init(configuration: DaemonConfiguration, store: SQLiteStore, shared: GroupCommitStore, catalog: DefinitionCatalog,
         registry: InstanceRegistry, socketPath: String) {
        self.configuration = configuration
        self.store = store
        self.shared = shared
        self.catalog = catalog
        self.registry = registry
        self.connections = ConnectionCounter(limits: configuration.limits)
        self.startedAt = Timestamp.now()
        self.socketPath = socketPath
    }

    var logger: Logger { configuration.logger }
    var limits: DaemonLimits { configuration.limits }

    /// Set once a graceful shutdown began: new requests are answered -32012.
    var isStopping: Bool { stopping.load(ordering: .acquiring) }
    func beginStopping() { stopping.store(true, ordering: .releasing) }

    var subscriptions: Int { subscriptionCount.load(ordering: .relaxed) }
    func subscriptionOpened() { subscriptionCount.add(1, ordering: .relaxed) }
    func subscriptionClosed() { subscriptionCount.subtract(1, ordering: .relaxed) }
}

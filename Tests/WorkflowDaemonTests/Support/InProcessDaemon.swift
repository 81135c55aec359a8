import DaemonTestSupport
import Foundation
import Logging
import WorkflowJSON
import WorkflowProtocol
import WorkflowStore
@testable import WorkflowDaemon

/// The daemon's parts without its process or its socket: a store in a temporary directory, the
/// test definitions, the registry, the instance service and the dispatcher, for tests that call
/// them directly (and fail with a stack that points into them).
struct InProcessDaemon: Sendable {
    /// Peers the tests act as: an owner, another user, root.
    static let owner = Peer(pid: 1, uid: 1000, gid: 1000)
    static let stranger = Peer(pid: 2, uid: 1001, gid: 1001)
    static let root = Peer(pid: 3, uid: 0, gid: 0)

    let directory: String
    let context: DaemonContext
    let dispatcher: Dispatcher

    var instances: InstanceService { context.instances }
    var registry: InstanceRegistry { context.registry }

    /// Opens a store in a new temporary directory and loads `definitions` (file name → text).
    static func make(definitions: [String: String] = TestDefinitions.all, limits: DaemonLimits = DaemonLimits()) async throws -> InProcessDaemon {
        let directory = FileManager.default.temporaryDirectory.path + "/wfd-inproc-" + String(UInt64.random(in: 0..<UInt64.max), radix: 36)
        try FileManager.default.createDirectory(atPath: directory + "/definitions", withIntermediateDirectories: true)
        for (name, text) in definitions {
            try text.write(toFile: directory + "/definitions/" + name, atomically: true, encoding: .utf8)
        }
        let logger = Logger(label: "workflowd-test") { _ in SwiftLogNoOpLogHandler() }
        let configuration = DaemonConfiguration(socketPath: directory + "/workflowd.sock", stateDirectory: directory,
                                                definitionsDirectory: directory + "/definitions", limits: limits, logger: logger,
                                                memoryTrimInterval: nil)
        let store = try await SQLiteStore.open(path: configuration.databasePath)
        let metrics = DaemonMetrics(startedAt: Timestamp.now())
        let shared = GroupCommitStore(store) { instances, duration in metrics.committed(instances: instances, duration: duration) }
        let catalog = DefinitionCatalog(directory: configuration.definitionsDirectory, logger: logger)
        await catalog.reload()
        let lifecycle = DaemonLifecycle()
        let registry = InstanceRegistry(store: store, shared: shared, catalog: catalog, configuration: configuration, lifecycle: lifecycle,
                                        metrics: metrics)
        let schedules = ScheduleService(store: store, instances: InstanceService(registry: registry, store: store, catalog: catalog, logger: logger),
                                        logger: logger)
        let context = DaemonContext(configuration: configuration, store: store, shared: shared, catalog: catalog, registry: registry,
                                    schedules: schedules, socketPath: configuration.socketPath)
        _ = lifecycle.transition { $0.startedServing() }
        return InProcessDaemon(directory: directory, context: context, dispatcher: Handlers.dispatcher())
    }

    /// A connection of `peer` (its writer is not written anywhere: answers come back from ``call``).
    func connection(of peer: Peer, id: Int = 1) -> ConnectionContext {
        ConnectionContext(id: id, peer: peer, writer: ConnectionWriter(limit: 1 << 20, budget: context.queueBudget))
    }

    /// Hands one JSON-RPC message to the dispatcher as `peer`'s connection would: the answer
    /// it would send (nil for a notification).
    func handle(_ message: JSON, as peer: Peer = owner) async -> JSON? {
        let incoming = RPCIncoming(message)
        return await dispatcher.handle(incoming, daemon: context, connection: connection(of: peer)).answer
    }

    /// Stops the loaded instances (their programs too) and removes the directory.
    func close() async {
        await registry.suspendAll(grace: .zero)
        try? FileManager.default.removeItem(atPath: directory)
    }
}

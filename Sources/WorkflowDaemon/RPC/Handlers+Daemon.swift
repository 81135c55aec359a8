import WorkflowConcurrency
import WorkflowStore
import Logging
#if canImport(Glibc)
import Glibc
#endif
import WorkflowDefinitions
import WorkflowEngine
import WorkflowProtocol

extension Handlers {
    static func registerDaemon(_ dispatcher: inout Dispatcher) {
        dispatcher.register(DaemonMethods.Ping.self) { _, _ in
            DaemonMethods.Ping.Result(pong: true, version: RPCCatalogue.version)
        }
        dispatcher.register(DaemonMethods.Status.self) { _, context in
            let daemon = context.daemon
            var active = 0
            for instance in await daemon.registry.loadedInstances where await instance.activeRunID != nil { active += 1 }
            var result = DaemonMethods.Status.Result(
                version: RPCCatalogue.version, pid: getpid(), startedAt: Timestamp.format(daemon.startedAt),
                uptimeSeconds: max(0, Timestamp.now() - daemon.startedAt), socket: daemon.socketPath,
                stateDirectory: daemon.configuration.stateDirectory, definitionsDirectory: daemon.configuration.definitionsDirectory,
                instancesStored: try await daemon.store.instanceCount(), instancesLoaded: await daemon.registry.loadedCount,
                activeRuns: active, connections: daemon.connections.open, subscriptions: daemon.subscriptions,
                definitions: await daemon.catalog.current.count, definitionErrors: await daemon.catalog.problems,
                storeTransactions: daemon.shared.counts.transactions)
            result.instancesPaused = try await daemon.store.pausedCount()
            if let host = daemon.store.hostID {
                result.host = host
                result.hosts = try await daemon.store.hosts().map {
                    HostInfo(id: $0.id, heartbeatAgeSeconds: max(0, $0.heartbeatAge), alive: $0.alive, instances: $0.instances)
                }
            }
            return result
        }
        dispatcher.register(DaemonMethods.Metrics.self) { _, context in
            DaemonMethods.Metrics.Result(text: try await context.daemon.metricsExposition())
        }
        dispatcher.register(DaemonMethods.Reload.self) { _, context in
            let (names, problems) = try await context.daemon.reloadDefinitions(trigger: "daemon.reload")
            return DaemonMethods.Reload.Result(definitions: names, errors: problems)
        }
        dispatcher.register(DaemonMethods.Discover.self) { _, _ in RPCCatalogue.openRPC }
    }

    static func registerDefinitions(_ dispatcher: inout Dispatcher) {
        dispatcher.register(DefinitionMethods.List.self) { _, context in
            let catalog = context.daemon.catalog
            let definitions = await catalog.current.values.sorted { $0.name < $1.name }.map { DefinitionCatalog.info($0) }
            return DefinitionMethods.List.Result(definitions: definitions, errors: await catalog.problems)
        }
        dispatcher.register(DefinitionMethods.Get.self) { params, context in
            guard let definition = await context.daemon.catalog.definition(named: params.name) else {
                throw DaemonError.definitionNotFound(params.name)
            }
            return DefinitionCatalog.info(definition, document: true)
        }
        dispatcher.register(DefinitionMethods.Validate.self) { params, context in
            guard params.text.utf8.count <= context.daemon.limits.maxLineBytes else {
                throw RPCError.limit("maxLineBytes", context.daemon.limits.maxLineBytes, "the definition text is too long")
            }
            let library = await context.daemon.catalog.current
            let file = params.file ?? context.daemon.configuration.definitionsDirectory + "/submitted.yaml"
            let text = params.text, settings = context.daemon.configuration.definitionSettings
            // Parsing checks program paths (it reads the file system): off the cooperative pool.
            let outcome: Result<Definition, DefinitionError> = try await BlockingWork.run {
                Result { () throws(DefinitionError) in try Definition.parse(text, file: file, definitions: library, settings: settings) }
            }
            switch outcome {
            case .success(let definition):
                return DefinitionMethods.Validate.Result(valid: true, name: definition.name, hash: definition.graphHash, errors: [])
            case .failure(let error):
                return DefinitionMethods.Validate.Result(valid: false, name: nil, hash: nil, errors: [DefinitionCatalog.problem(error)])
            }
        }
    }
}

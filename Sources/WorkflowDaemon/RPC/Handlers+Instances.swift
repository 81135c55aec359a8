import Logging
import WorkflowDefinitions
import WorkflowEngine
import WorkflowProtocol
import WorkflowStore

extension Handlers {
    static func busyPolicy(_ text: String?) throws -> BusyPolicy {
        guard let text else { return .reject }
        guard let policy = BusyPolicy(rawValue: text) else {
            throw RPCError.invalidParams("params.onBusy: must be reject or queue, not '\(text)'", path: "params.onBusy")
        }
        return policy
    }

    static func currentHash(_ definition: String, _ context: RequestContext) async -> String? {
        await context.daemon.catalog.definition(named: definition)?.graphHash
    }

    /// A checkpoint reference (an id or a label) of the instance, as an id.
    static func resolve(_ reference: String, instance: String, _ context: RequestContext) async throws -> String {
        guard let id = try await context.daemon.store.resolveCheckpoint(reference, instance: instance) else {
            throw DaemonError(.checkpointNotFound, "instance '\(instance)' has no checkpoint '\(reference)'",
                              data: ["instance": .string(instance), "checkpointId": .string(reference)])
        }
        return id
    }

    static func registerInstances(_ dispatcher: inout Dispatcher) {
        dispatcher.register(InstanceMethods.Create.self) { params, context in
            guard let definition = await context.daemon.catalog.definition(named: params.definition) else {
                throw DaemonError.definitionNotFound(params.definition)
            }
            let lease = try await context.registry.create(params.name, definition: definition, onBusy: try busyPolicy(params.onBusy),
                                                          owner: context.peer.uid)
            let info = await Conversions.details(lease, currentHash: definition.graphHash)
            await context.registry.release(lease)
            return info
        }
        dispatcher.register(InstanceMethods.List.self) { params, context in
            let limit = try Handlers.pageLimit(params.limit, default: 1000, maximum: 10_000)
            let records = try await context.daemon.store.instances(after: params.after, limit: limit + 1,
                                                                   owner: context.peer.isRoot ? nil : context.peer.uid,
                                                                   definition: params.definition)
            let catalog = context.daemon.catalog
            var infos: [InstanceInfo] = []
            for record in records.prefix(limit) {
                infos.append(Conversions.summary(record, currentHash: await catalog.definition(named: record.definition)?.graphHash))
            }
            return InstanceMethods.List.Result(instances: infos, next: records.count > limit ? infos.last?.name : nil)
        }
        dispatcher.register(InstanceMethods.Get.self) { params, context in
            try await context.withInstance(params.instance) { lease in
                await Conversions.details(lease, currentHash: await currentHash(lease.record.definition, context))
            }
        }
        dispatcher.register(InstanceMethods.Delete.self) { params, context in
            try await context.withInstance(params.instance) { lease in
                if let active = await lease.instance.activeRunID {
                    guard params.cancel == true else {
                        throw DaemonError(.instanceBusy, "instance '\(lease.name)': run \(active) is active (pass cancel to cancel it first)",
                                          data: ["instance": .string(lease.name), "activeRunId": .string(active)])
                    }
                    await lease.instance.cancel()
                }
                try await context.registry.delete(lease)
                return InstanceMethods.Delete.Result(deleted: true)
            }
        }
        dispatcher.register(InstanceMethods.Reset.self) { params, context in
            try await context.withInstance(params.instance) { lease in
                try await lease.instance.reset(cancelRunning: params.cancel ?? false)
                var current = lease
                if params.upgrade == true {
                    guard let definition = await context.daemon.catalog.definition(named: lease.record.definition) else {
                        throw DaemonError.definitionNotFound(lease.record.definition)
                    }
                    if definition.graphHash != lease.instance.workflow.graphHash {
                        current = try await context.registry.replace(lease, with: definition)
                        context.logger.notice("instance upgraded", metadata: ["instance": "\(lease.name)", "definitionHash": "\(definition.graphHash)"])
                    }
                }
                return await Conversions.details(current, currentHash: await currentHash(lease.record.definition, context))
            }
        }
        dispatcher.register(InstanceMethods.Rewind.self) { params, context in
            try await context.withInstance(params.instance) { lease in
                let id = try await resolve(params.checkpointId, instance: lease.name, context)
                let handle = try await lease.instance.rewind(to: id)
                return InstanceMethods.Continued(instance: await Conversions.details(lease, currentHash: await currentHash(lease.record.definition, context)),
                                                 runId: handle?.runID)
            }
        }
        dispatcher.register(InstanceMethods.Fork.self) { params, context in
            try await context.withInstance(params.instance) { lease in
                let id = try await resolve(params.checkpointId, instance: lease.name, context)
                guard Definition.identifierProblem(params.name) == nil else {
                    throw RPCError.invalidParams("'\(params.name.prefix(40))' is not a valid instance name", path: "params.name")
                }
                let store = context.daemon.store
                let record = InstanceRecord(name: params.name, definition: lease.record.definition, definitionHash: lease.record.definitionHash,
                                            ownerUID: context.peer.uid, onBusy: lease.record.onBusy, createdAt: Timestamp.now())
                try await store.createInstance(record)
                let forked: ForkResult
                do {
                    forked = try await lease.instance.fork(from: id, as: params.name)
                } catch {
                    _ = try? await store.deleteInstance(named: params.name)
                    throw error
                }
                var adopted = record
                adopted.forkedFrom = lease.name
                adopted.forkedFromCheckpoint = id
                let newLease = await context.registry.adopt(forked.instance, record: adopted)
                let info = await Conversions.details(newLease, currentHash: await currentHash(record.definition, context))
                await context.registry.release(newLease)
                return InstanceMethods.Continued(instance: info, runId: forked.run?.runID)
            }
        }
    }
}

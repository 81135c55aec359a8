import WorkflowEngine
import WorkflowProtocol
import WorkflowStore

extension Handlers {
    /// The lineage head of an instance: the loaded instance's, else the record's.
    static func head(_ name: String, record: InstanceRecord, _ context: RequestContext) async -> String? {
        if let instance = await context.registry.loadedInstance(name) { return await instance.lineageHead }
        return record.head
    }

    static func checkpointInfo(_ id: String, instance: String, _ context: RequestContext, head: String?) async throws -> CheckpointInfo {
        let store = context.daemon.store
        guard let summary = try await store.checkpoints(instance: instance).first(where: { $0.id == id }) else {
            throw DaemonError(.checkpointNotFound, "instance '\(instance)' has no checkpoint '\(id)'",
                              data: ["instance": .string(instance), "checkpointId": .string(id)])
        }
        return Conversions.checkpoint(summary, label: try await store.checkpointLabels(instance: instance)[id], head: head)
    }

    static func registerCheckpoints(_ dispatcher: inout Dispatcher) {
        dispatcher.register(CheckpointMethods.List.self) { params, context in
            let record = try await context.registry.record(params.instance, peer: context.peer)
            let store = context.daemon.store
            let labels = try await store.checkpointLabels(instance: record.name)
            let head = await head(record.name, record: record, context)
            return CheckpointMethods.List.Result(checkpoints: try await store.checkpoints(instance: record.name).map {
                Conversions.checkpoint($0, label: labels[$0.id], head: head)
            })
        }
        dispatcher.register(CheckpointMethods.Get.self) { params, context in
            let record = try await context.registry.record(params.instance, peer: context.peer)
            let id = try await resolve(params.checkpointId, instance: record.name, context)
            guard let checkpoint = try await context.daemon.store.checkpoint(id: id) else {
                throw DaemonError(.checkpointNotFound, "instance '\(record.name)' has no checkpoint '\(params.checkpointId)'",
                                  data: ["instance": .string(record.name), "checkpointId": .string(params.checkpointId)])
            }
            let info = try await checkpointInfo(id, instance: record.name, context, head: await head(record.name, record: record, context))
            return CheckpointMethods.Get.Result(info: info, checkpoint: checkpoint.json)
        }
        dispatcher.register(CheckpointMethods.Create.self) { params, context in
            try await context.withInstance(params.instance) { lease in
                let store = context.daemon.store
                if let label = params.label, let taken = try await store.resolveCheckpoint(label, instance: lease.name) {
                    throw RPCError(.invalidParams, "Invalid params: label '\(label)' already names checkpoint \(taken)",
                                   data: ["path": "params.label", "checkpointId": .string(taken)])
                }
                let id = try await lease.instance.takeCheckpoint()
                if let label = params.label, try await !store.label(checkpoint: id, instance: lease.name, as: label) {
                    throw RPCError(.invalidParams, "Invalid params: label '\(label)' names another checkpoint", data: ["path": "params.label"])
                }
                return try await checkpointInfo(id, instance: lease.name, context, head: await lease.instance.lineageHead)
            }
        }
        dispatcher.register(CheckpointMethods.Delete.self) { params, context in
            let record = try await context.registry.record(params.instance, peer: context.peer)
            let id = try await resolve(params.checkpointId, instance: record.name, context)
            if id == (await head(record.name, record: record, context)) {
                throw RPCError(.invalidParams, "Invalid params: checkpoint \(id) is the lineage head of '\(record.name)'; it cannot be deleted",
                               data: ["path": "params.checkpointId", "checkpointId": .string(id)])
            }
            return CheckpointMethods.Delete.Result(deleted: try await context.daemon.store.deleteCheckpoint(id: id))
        }
        dispatcher.register(CheckpointMethods.Prune.self) { params, context in
            let record = try await context.registry.record(params.instance, peer: context.peer)
            return CheckpointMethods.Prune.Result(deleted: try await context.daemon.store.prune(instance: record.name))
        }
    }
}

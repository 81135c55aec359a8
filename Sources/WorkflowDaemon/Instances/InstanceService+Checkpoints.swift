import WorkflowEngine
import WorkflowProtocol
import WorkflowStore

extension InstanceService {
    /// `checkpoint.list`: every checkpoint of the instance, with labels and the head marked.
    func checkpoints(_ params: CheckpointMethods.List.Params, by peer: Peer) async throws -> CheckpointMethods.List.Result {
        let record = try await registry.record(params.instance, peer: peer)
        let labels = try await store.checkpointLabels(instance: record.name)
        let head = await head(of: record)
        return CheckpointMethods.List.Result(checkpoints: try await store.checkpoints(instance: record.name).map {
            Conversions.checkpoint($0, label: labels[$0.id], head: head)
        })
    }

    /// `checkpoint.get`: one checkpoint (by id or label), whole.
    func checkpoint(_ params: CheckpointMethods.Get.Params, by peer: Peer) async throws -> CheckpointMethods.Get.Result {
        let record = try await registry.record(params.instance, peer: peer)
        let id = try await resolve(params.checkpointId, instance: record.name)
        guard let checkpoint = try await store.checkpoint(id: id) else {
            throw DaemonError(.checkpointNotFound, "instance '\(record.name)' has no checkpoint '\(params.checkpointId)'",
                              data: ["instance": .string(record.name), "checkpointId": .string(params.checkpointId)])
        }
        let info = try await checkpointInfo(id, instance: record.name, head: await head(of: record))
        return CheckpointMethods.Get.Result(info: info, checkpoint: checkpoint.json)
    }

    /// `checkpoint.create`: a checkpoint of the instance now, labelled if asked (a label names
    /// one checkpoint of an instance).
    func createCheckpoint(_ params: CheckpointMethods.Create.Params, by peer: Peer) async throws -> CheckpointInfo {
        try await withInstance(params.instance, by: peer) { lease in
            if let label = params.label, let taken = try await store.resolveCheckpoint(label, instance: lease.name) {
                throw RPCError(.invalidParams, "Invalid params: label '\(label)' already names checkpoint \(taken)",
                               data: ["path": "params.label", "checkpointId": .string(taken)])
            }
            let id = try await lease.instance.takeCheckpoint()
            if let label = params.label, try await !store.label(checkpoint: id, instance: lease.name, as: label) {
                throw RPCError(.invalidParams, "Invalid params: label '\(label)' names another checkpoint", data: ["path": "params.label"])
            }
            return try await checkpointInfo(id, instance: lease.name, head: await lease.instance.lineageHead)
        }
    }

    /// `checkpoint.delete`: any checkpoint but the lineage head.
    func deleteCheckpoint(_ params: CheckpointMethods.Delete.Params, by peer: Peer) async throws -> CheckpointMethods.Delete.Result {
        let record = try await registry.record(params.instance, peer: peer)
        let id = try await resolve(params.checkpointId, instance: record.name)
        if id == (await head(of: record)) {
            throw RPCError(.invalidParams, "Invalid params: checkpoint \(id) is the lineage head of '\(record.name)'; it cannot be deleted",
                           data: ["path": "params.checkpointId", "checkpointId": .string(id)])
        }
        return CheckpointMethods.Delete.Result(deleted: try await store.deleteCheckpoint(id: id))
    }

    /// `checkpoint.prune`: what retention would remove, now.
    func prune(_ params: CheckpointMethods.Prune.Params, by peer: Peer) async throws -> CheckpointMethods.Prune.Result {
        let record = try await registry.record(params.instance, peer: peer)
        return CheckpointMethods.Prune.Result(deleted: try await store.prune(instance: record.name))
    }

    /// The lineage head of an instance: the loaded instance's, else the record's.
    private func head(of record: InstanceRecord) async -> String? {
        if let instance = await registry.loadedInstance(record.name) { return await instance.lineageHead }
        return record.head
    }

    private func checkpointInfo(_ id: String, instance: String, head: String?) async throws -> CheckpointInfo {
        guard let summary = try await store.checkpoints(instance: instance).first(where: { $0.id == id }) else {
            throw DaemonError(.checkpointNotFound, "instance '\(instance)' has no checkpoint '\(id)'",
                              data: ["instance": .string(instance), "checkpointId": .string(id)])
        }
        return Conversions.checkpoint(summary, label: try await store.checkpointLabels(instance: instance)[id], head: head)
    }
}

import Logging
import WorkflowDefinitions
import WorkflowEngine
import WorkflowProtocol
import WorkflowStore

extension InstanceService {
    /// `instance.create`: a new instance of a loaded definition, owned by the caller.
    func create(_ params: InstanceMethods.Create.Params, by peer: Peer) async throws -> InstanceInfo {
        guard let definition = await catalog.definition(named: params.definition) else {
            throw DaemonError.definitionNotFound(params.definition)
        }
        let lease = try await registry.create(params.name, definition: definition, onBusy: Conversions.busyPolicy(params.onBusy ?? .reject), owner: peer.uid)
        let info = try await Conversions.details(lease, currentHash: definition.graphHash)
        await registry.release(lease)
        return info
    }

    /// `instance.list`: a page of the instances the caller may see, in name order.
    func list(_ params: InstanceMethods.List.Params, by peer: Peer) async throws -> InstanceMethods.List.Result {
        let limit = try Self.pageLimit(params.limit, default: 1000, maximum: 10_000)
        let records = try await store.instances(after: params.after, limit: limit + 1, owner: peer.isRoot ? nil : peer.uid,
                                                definition: params.definition)
        var infos: [InstanceInfo] = []
        for record in records.prefix(limit) {
            infos.append(try Conversions.summary(record, currentHash: await currentHash(record.definition)))
        }
        return InstanceMethods.List.Result(instances: infos, next: records.count > limit ? infos.last?.name : nil)
    }

    /// `instance.get`: everything the daemon says of one instance.
    func details(_ params: InstanceMethods.Get.Params, by peer: Peer) async throws -> InstanceInfo {
        try await withInstance(params.instance, by: peer) { lease in
            var info = try await Conversions.details(lease, currentHash: await currentHash(lease.record.definition))
            info.host = store.hostID  // loaded here: this host owns it
            return info
        }
    }

    /// `instance.delete`: refused while a run is active, unless the caller says to cancel it.
    func delete(_ params: InstanceMethods.Delete.Params, by peer: Peer) async throws -> InstanceMethods.Delete.Result {
        try await withInstance(params.instance, by: peer) { lease in
            if let active = await lease.instance.activeRunID {
                guard params.cancel == true else {
                    throw DaemonError(.instanceBusy, "instance '\(lease.name)': run \(active) is active (pass cancel to cancel it first)",
                                      data: ["instance": .string(lease.name), "activeRunId": .string(active)])
                }
                await lease.instance.cancel()
            }
            try await registry.delete(lease)
            return InstanceMethods.Delete.Result(deleted: true)
        }
    }

    /// `instance.reset`: a clean slate, on the definition's current version if asked (upgrade).
    func reset(_ params: InstanceMethods.Reset.Params, by peer: Peer) async throws -> InstanceInfo {
        try await withInstance(params.instance, by: peer) { lease in
            try await lease.instance.reset(cancelRunning: params.cancel ?? false)
            var current = lease
            if params.upgrade == true {
                guard let definition = await catalog.definition(named: lease.record.definition) else {
                    throw DaemonError.definitionNotFound(lease.record.definition)
                }
                if definition.graphHash != lease.instance.workflow.graphHash {
                    current = try await registry.replace(lease, with: definition)
                    logger.notice("instance upgraded", metadata: ["instance": "\(lease.name)", "definitionHash": "\(definition.graphHash)",
                                                                  "peer.uid": "\(peer.uid)"])
                }
            }
            return try await Conversions.details(current, currentHash: await currentHash(lease.record.definition))
        }
    }

    /// `instance.rewind`: back to a checkpoint of the instance's lineage (a run goes on from it
    /// if it had messages in flight).
    func rewind(_ params: InstanceMethods.Rewind.Params, by peer: Peer) async throws -> InstanceMethods.Continued {
        try await withInstance(params.instance, by: peer) { lease in
            let id = try await resolve(params.checkpointId, instance: lease.name)
            let handle = try await lease.instance.rewind(to: id)
            return InstanceMethods.Continued(instance: try await Conversions.details(lease, currentHash: await currentHash(lease.record.definition)),
                                             runId: handle?.runID)
        }
    }

    /// `instance.fork`: a new instance, owned by the caller, from a checkpoint of this one. The
    /// record is stored first (the name is taken at once) and removed again if the fork fails.
    func fork(_ params: InstanceMethods.Fork.Params, by peer: Peer) async throws -> InstanceMethods.Continued {
        try await withInstance(params.instance, by: peer) { lease in
            let id = try await resolve(params.checkpointId, instance: lease.name)
            guard Definition.identifierProblem(params.name) == nil else {
                throw RPCError.invalidParams("'\(params.name.prefix(40))' is not a valid instance name", path: "params.name")
            }
            let record = InstanceRecord(name: params.name, definition: lease.record.definition, definitionHash: lease.record.definitionHash,
                                        ownerUID: peer.uid, onBusy: lease.record.onBusy, createdAt: Timestamp.now())
            try await store.createInstance(record)
            let forked: ForkResult
            do {
                forked = try await lease.instance.fork(from: id, as: params.name)
            } catch {
                do {
                    _ = try await store.deleteInstance(named: params.name)
                } catch let undo {
                    logger.error("a failed fork's instance record could not be removed", metadata: [
                        "instance": "\(params.name)", "error": "\(undo)"])
                }
                throw error
            }
            var adopted = record
            adopted.forkedFrom = lease.name
            adopted.forkedFromCheckpoint = id
            let newLease = await registry.adopt(forked.instance, record: adopted)
            let info = try await Conversions.details(newLease, currentHash: await currentHash(record.definition))
            await registry.release(newLease)
            return InstanceMethods.Continued(instance: info, runId: forked.run?.runID)
        }
    }
}

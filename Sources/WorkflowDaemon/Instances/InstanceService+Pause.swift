import Logging
import WorkflowEngine
import WorkflowProtocol
import WorkflowStore

extension InstanceService {
    /// `instance.pause`: recorded in the store first (so that whoever loads the instance from
    /// now on finds it held), then the loaded instance stops at its next boundary and is loaded
    /// again, held. Pausing a paused instance changes nothing.
    func pause(_ params: InstanceMethods.Pause.Params, by peer: Peer) async throws -> InstanceInfo {
        if let reason = params.reason, reason.count > 1024 {
            throw RPCError.invalidParams("params.reason: at most 1024 characters", path: "params.reason")
        }
        let lease = try await registry.acquire(params.instance, peer: peer)
        if lease.record.paused == nil {
            var pause: JSONObject = ["pausedAt": .string(Timestamp.format(Timestamp.now()))]
            if let reason = params.reason { pause["reason"] = .string(reason) }
            do {
                try await store.setPaused(instance: lease.name, pause: .object(pause))
            } catch {
                await registry.release(lease)
                throw error
            }
            await registry.reload(lease)
            logger.notice("instance paused", metadata: ["instance": "\(lease.name)", "peer.uid": "\(peer.uid)",
                                                        "reason": "\(params.reason ?? "")"])
        }
        await registry.release(lease)
        return try await withInstance(params.instance, by: peer) { lease in
            try await Conversions.details(lease, currentHash: await currentHash(lease.record.definition))
        }
    }

    /// `instance.resume`: the pause ends in the store and the held instance takes up what it
    /// kept: the run the pause stopped goes on, what was accepted is delivered, queued runs
    /// start, and its waits are due again.
    func resume(_ params: InstanceMethods.Resume.Params, by peer: Peer) async throws -> InstanceInfo {
        let lease = try await registry.acquire(params.instance, peer: peer)
        if lease.record.paused != nil {
            do {
                try await store.setPaused(instance: lease.name, pause: nil)
            } catch {
                await registry.release(lease)
                throw error
            }
            await registry.resumed(lease.name)
            do {
                try await lease.instance.resumeHeld(registry.configuration.recoveryMode)
            } catch {
                await registry.release(lease)
                throw error
            }
            logger.notice("instance resumed", metadata: ["instance": "\(lease.name)", "peer.uid": "\(peer.uid)"])
        }
        await registry.release(lease)
        return try await withInstance(params.instance, by: peer) { lease in
            wakesChanged([lease.name: await lease.instance.nextWaitDue])
            return try await Conversions.details(lease, currentHash: await currentHash(lease.record.definition))
        }
    }
}

import Logging
import WorkflowDefinitions
import WorkflowEngine
import WorkflowProtocol
import WorkflowStore

/// What a caller may do with instances, one method per operation, in the protocol's own terms:
/// the handlers decode params, call one of these, and encode what it returns. Every method
/// checks that the caller (`peer`) may see the instance (its owner, or root) before anything
/// else, and leases the instance from the ``InstanceRegistry`` for as long as it works on it.
///
/// The methods are grouped by what they act on: the instance itself (this file's extension in
/// `InstanceService+Instances.swift`), its runs, its requests for a person, its checkpoints.
struct InstanceService: Sendable {
    /// Where instances are loaded, created and evicted.
    let registry: InstanceRegistry
    /// Where instances, runs, events and checkpoints are stored.
    let store: any InstanceStore
    /// The definitions the daemon serves.
    let catalog: DefinitionCatalog
    /// The daemon's logger.
    let logger: Logger
    /// Tells the timer service an instance's soonest wait (an instance taken up again after a
    /// pause: its waits fire again).
    var wakesChanged: @Sendable ([String: Double?]) -> Void = { _ in }
    /// With several hosts: how a question about many instances reaches those another host owns.
    var relay: CommandRelay?

    /// Runs `body` with the instance leased (loaded, checked against the peer), then gives it back.
    func withInstance<T: Sendable>(_ name: String, by peer: Peer, _ body: (InstanceLease) async throws -> T) async throws -> T {
        let lease = try await registry.acquire(name, peer: peer)
        do {
            let result = try await body(lease)
            await registry.release(lease)
            return result
        } catch {
            await registry.release(lease)
            throw error
        }
    }

    /// The graph hash of the definition an instance's record names, as the daemon serves it now.
    func currentHash(_ definition: String) async -> String? {
        await catalog.definition(named: definition)?.graphHash
    }

    /// A checkpoint reference (an id or a label) of the instance, as an id.
    /// - Throws: `checkpointNotFound` naming the instance and the reference.
    func resolve(_ reference: String, instance: String) async throws -> String {
        guard let id = try await store.resolveCheckpoint(reference, instance: instance) else {
            throw DaemonError(.checkpointNotFound, "instance '\(instance)' has no checkpoint '\(reference)'",
                              data: ["instance": .string(instance), "checkpointId": .string(reference)])
        }
        return id
    }

    /// A page size as the method's schema allows it: `fallback` when absent, else within
    /// 1…`maximum`, or invalid params naming the bounds (a larger page is never cut silently).
    static func pageLimit(_ limit: Int?, default fallback: Int, maximum: Int) throws -> Int {
        guard let limit else { return fallback }
        guard (1...maximum).contains(limit) else {
            throw RPCError.invalidParams("params.limit: must be between 1 and \(maximum), not \(limit)", path: "params.limit")
        }
        return limit
    }
}

import WorkflowEngine
import WorkflowProtocol

extension InstanceService {
    /// `instance.signal`: wakes the first wait armed for the name, or keeps the signal for the
    /// first that will be.
    func signal(_ params: InstanceMethods.Signal.Params, by peer: Peer) async throws -> InstanceMethods.Signal.Result {
        guard (1...128).contains(params.name.count) else {
            throw RPCError.invalidParams("params.name: a signal's name is 1 to 128 characters", path: "params.name")
        }
        return try await withInstance(params.instance, by: peer) { lease in
            let outcome = try await lease.instance.signal(params.name, payload: params.payload ?? .null)
            return InstanceMethods.Signal.Result(delivered: outcome.waitID != nil, waitId: outcome.waitID, runId: outcome.runID,
                                                 startedRun: outcome.startedRun)
        }
    }
}

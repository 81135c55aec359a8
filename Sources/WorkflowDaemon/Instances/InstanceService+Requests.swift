import Logging
import WorkflowEngine
import WorkflowProtocol
import WorkflowStore

extension InstanceService {
    /// `request.list`: the open requests of one instance, or of every instance the caller may
    /// see (an instance that cannot be loaded is left out, and the log says why).
    func requests(_ params: RequestMethods.List.Params, by peer: Peer) async throws -> RequestMethods.List.Result {
        if let name = params.instance {
            return try await withInstance(name, by: peer) { lease in
                RequestMethods.List.Result(requests: await lease.instance.pendingRequests.map { Conversions.request($0, instance: name) })
            }
        }
        // Every instance that may have a request open (and that the caller may see).
        let candidates = try await store.instances(withStatus: [.idleWithPendingRequests, .inProgress, .failed, .cancelled], limit: 10_000)
        var requests: [RequestInfo] = []
        for record in candidates where peer.isRoot || record.ownerUID == peer.uid {
            do {
                requests += try await withInstance(record.name, by: peer) { lease in
                    await lease.instance.pendingRequests.map { Conversions.request($0, instance: record.name) }
                }
            } catch let error as DaemonError where error.rpcError.code == .instanceElsewhere && relay != nil {
                // Another host owns it: that host lists its requests.
                requests += await requestsElsewhere(record.name, host: error.rpcError.data?["host"]?.stringValue ?? "", by: peer)
            } catch {
                logger.warning("an instance could not be loaded to list its requests",
                               metadata: ["instance": "\(record.name)", "error": "\(error)", "peer.uid": "\(peer.uid)"])
            }
        }
        return RequestMethods.List.Result(requests: requests)
    }

    /// The open requests of an instance another host owns, asked of that host (none if it cannot say).
    private func requestsElsewhere(_ name: String, host: String, by peer: Peer) async -> [RequestInfo] {
        guard let relay else { return [] }
        let answer = await relay.forward(RequestMethods.List.name, ["instance": .string(name)], peer: peer, instance: name, to: host, hops: 1)
        switch answer {
        case .success(let result)?:
            if let list = try? RequestMethods.List.decode(result: result) { return list.requests }
        case .failure(let error)?:
            logger.warning("another host could not list an instance's requests", metadata: ["instance": "\(name)", "host": "\(host)", "error": "\(error.message)"])
        case nil:
            break  // that host died: its instances are taken over, and listed next time
        }
        return []
    }

    /// `request.respond`: the answer goes to the active run, or starts a run that delivers it.
    func respond(_ params: RequestMethods.Respond.Params, by peer: Peer) async throws -> RequestMethods.Respond.Result {
        try await withInstance(params.instance, by: peer) { lease in
            let outcome = try await lease.instance.respond(to: params.requestId, with: params.response)
            return RequestMethods.Respond.Result(runId: outcome.runID, startedRun: outcome.startedRun)
        }
    }
}

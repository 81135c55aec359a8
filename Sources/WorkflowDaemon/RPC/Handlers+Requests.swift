import Logging
import WorkflowEngine
import WorkflowProtocol
import WorkflowStore

extension Handlers {
    static func registerRequests(_ dispatcher: inout Dispatcher) {
        dispatcher.register(RequestMethods.List.self) { params, context in
            if let name = params.instance {
                return try await context.withInstance(name) { lease in
                    RequestMethods.List.Result(requests: await lease.instance.pendingRequests.map { Conversions.request($0, instance: name) })
                }
            }
            // Every instance that may have a request open (and that the caller may see).
            let store = context.daemon.store
            let candidates = try await store.instances(withStatus: [.idleWithPendingRequests, .inProgress, .failed, .cancelled], limit: 10_000)
            var requests: [RequestInfo] = []
            for record in candidates where context.peer.isRoot || record.ownerUID == context.peer.uid {
                do {
                    let found = try await context.withInstance(record.name) { lease in
                        await lease.instance.pendingRequests.map { Conversions.request($0, instance: record.name) }
                    }
                    requests += found
                } catch {
                    context.logger.warning("an instance could not be loaded to list its requests",
                                           metadata: ["instance": "\(record.name)", "error": "\(error)"])
                }
            }
            return RequestMethods.List.Result(requests: requests)
        }
        dispatcher.register(RequestMethods.Respond.self) { params, context in
            try await context.withInstance(params.instance) { lease in
                let outcome = try await lease.instance.respond(to: params.requestId, with: params.response)
                return RequestMethods.Respond.Result(runId: outcome.runID, startedRun: outcome.startedRun)
            }
        }
    }
}

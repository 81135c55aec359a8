import WorkflowDefinitions
import WorkflowEngine
import WorkflowJSON
import WorkflowProtocol
import WorkflowStore

extension InstanceService {
    /// How many events back `instance.graph` looks for the last run's path (bounded work).
    static let graphEventWindow = 5_000
    /// At most this many invocations of a long run are returned.
    static let graphInvocationLimit = 2_000

    /// `instance.graph`: the definition version the instance runs (its document, and those of
    /// the sub-workflows it calls), where messages wait, which steps wait for a person, and the
    /// path of the active or last run.
    func graph(_ params: InstanceMethods.Graph.Params, by peer: Peer) async throws -> InstanceMethods.Graph.Result {
        try await withInstance(params.instance, by: peer) { lease in
            let name = lease.record.definition
            let hash = lease.instance.workflow.graphHash
            var info: DefinitionInfo
            if let current = await catalog.definition(named: name), current.graphHash == hash {
                info = DefinitionCatalog.info(current, document: true)
            } else if let kept = try await store.definitionVersion(hash: hash) {
                let kinds = kept.document["executors"]?.objectValue ?? [:]
                info = DefinitionInfo(name: name, description: kept.document["description"]?.stringValue, hash: hash, file: kept.file,
                                      start: lease.instance.workflow.start,
                                      executors: lease.instance.workflow.executorIDs.map {
                                          DefinitionInfo.ExecutorInfo(id: $0, kind: kinds[$0]?["kind"]?.stringValue ?? "")
                                      })
                info.document = kept.document
            } else {
                throw DaemonError.definitionNotFound(name)
            }
            let subDefinitions = await subWorkflowDocuments(of: info.document ?? [:])

            let instance = lease.instance
            let snapshot = try await instance.snapshot()
            var holding: [String: Int] = [:]
            for message in snapshot.messages { holding[message.target, default: 0] += 1 }
            let waiting = Array(Set(snapshot.pendingRequests.map(\.executor))).sorted()

            var lastRun: InstanceMethods.Graph.RunPath?
            var runID = await instance.activeRunID
            var runStatus = RunStatusValue.inProgress
            if runID == nil, let last = try await store.runs(instance: lease.name).last {
                runID = last.id
                runStatus = try Conversions.stored(last.status, as: RunStatusValue.self, "run status")
            }
            if let runID {
                let next = await instance.nextSeq
                let after = next > UInt64(Self.graphEventWindow) ? next - UInt64(Self.graphEventWindow) : 0
                let events = try await store.events(instance: lease.name, afterSeq: after, limit: Self.graphEventWindow)
                var invocations: [InstanceMethods.Graph.Invocation] = []
                for event in events where event.runID == runID {
                    if case .executorInvoked(let executor, let superstep, _, _) = event.body {
                        invocations.append(.init(executor: executor, superstep: superstep))
                    }
                }
                lastRun = .init(runId: runID, status: runStatus, invocations: Array(invocations.suffix(Self.graphInvocationLimit)))
            }
            return InstanceMethods.Graph.Result(definition: info, subDefinitions: subDefinitions, holding: holding, waiting: waiting,
                                                status: Conversions.status(await instance.status), lastRun: lastRun)
        }
    }

    /// The documents of the definitions a document's `workflow` executors run, recursively (at
    /// most 64; a definition that is not loaded is left out and drawn as a plain box).
    func subWorkflowDocuments(of document: JSON) async -> [String: JSON] {
        var found: [String: JSON] = [:]
        var queue = [document]
        while let next = queue.popLast(), found.count < 64 {
            for (_, executor) in next["executors"]?.objectValue ?? [:] where executor["kind"]?.stringValue == "workflow" {
                guard let name = executor["definition"]?.stringValue, found[name] == nil,
                      let definition = await catalog.definition(named: name) else { continue }
                found[name] = definition.document
                queue.append(definition.document)
            }
        }
        return found
    }
}

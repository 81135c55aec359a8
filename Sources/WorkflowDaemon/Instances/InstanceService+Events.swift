import WorkflowEngine
import WorkflowProtocol
import WorkflowStore

extension InstanceService {
    /// `events.read`: a page of the instance's event log after a seq, from the store (the
    /// instance is not loaded for it).
    func events(_ params: EventMethods.Read.Params, by peer: Peer) async throws -> EventMethods.Read.Result {
        let record = try await registry.record(params.instance, peer: peer)
        let after = params.afterSeq ?? 0
        let events = try await store.events(instance: record.name, afterSeq: after,
                                            limit: try Self.pageLimit(params.limit, default: 1000, maximum: 10_000))
        return EventMethods.Read.Result(events: events.map(\.json), oldestSeq: try await store.oldestEventSeq(instance: record.name),
                                        lastSeq: events.last?.seq ?? after)
    }
}

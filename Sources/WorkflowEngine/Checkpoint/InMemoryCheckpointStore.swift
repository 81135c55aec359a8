import WorkflowConcurrency
import WorkflowJSON

/// A ``CheckpointStore`` in memory. It keeps each checkpoint as its serialized JSON bytes, so a
/// save is a deep copy and every load decodes a fresh value: nothing a live instance holds can
/// reach a stored checkpoint, and the stored form is exactly what a durable store would keep.
///
/// It also follows each instance's lineage head and status from what it commits, as a durable
/// store does, so tests can hold an instance against what was committed.
public final class InMemoryCheckpointStore: CheckpointStore {
    private struct Stored {
        var summary: CheckpointSummary
        var bytes: [UInt8]
    }

    private struct State {
        var checkpoints: [String: Stored] = [:]
        var order: [String: [String]] = [:]  // instance -> checkpoint ids, oldest first
        var events: [String: [[UInt8]]] = [:]  // instance -> serialized events, in seq order
        var eventSeqs: [String: [UInt64]] = [:]
        var statuses: [String: InstanceStatus] = [:]
        var heads: [String: String?] = [:]
    }

    private let state = Locked(State())
    /// Whether to keep the event log (the daemon always does; benchmarks may not).
    public let keepsEvents: Bool

    /// Makes an empty store.
    /// - Parameter keepsEvents: whether to keep the event log.
    public init(keepsEvents: Bool = true) { self.keepsEvents = keepsEvents }

    public func commit(_ batches: [StoreBatch]) async throws {
        let prepared = batches.map { batch in
            (batch, batch.checkpoint.map { Stored(summary: $0.summary, bytes: $0.json.serializedBytes()) },
             keepsEvents ? batch.events.map { $0.json.serializedBytes() } : [])
        }
        state.withLock { state in
            for (batch, stored, events) in prepared {
                for event in batch.events {
                    switch event.body {
                    case .instanceReset: state.heads[batch.instance] = .some(nil)
                    case .instanceRewound(let id), .instanceForked(_, let id): state.heads[batch.instance] = .some(id)
                    default: break
                    }
                }
                if let stored {
                    state.checkpoints[stored.summary.id] = stored
                    state.order[batch.instance, default: []].append(stored.summary.id)
                    state.heads[batch.instance] = .some(stored.summary.id)
                }
                if keepsEvents {
                    state.events[batch.instance, default: []].append(contentsOf: events)
                    state.eventSeqs[batch.instance, default: []].append(contentsOf: batch.events.map(\.seq))
                }
                if let status = batch.status { state.statuses[batch.instance] = status }
            }
        }
    }

    public func checkpoint(id: String) async throws -> Checkpoint? {
        guard let bytes = state.withLock({ $0.checkpoints[id]?.bytes }) else { return nil }
        return try Checkpoint(json: try JSON(parsing: bytes))
    }

    public func checkpoints(instance: String) async throws -> [CheckpointSummary] {
        state.withLock { state in (state.order[instance] ?? []).compactMap { state.checkpoints[$0]?.summary } }
    }

    @discardableResult
    public func deleteCheckpoint(id: String) async throws -> Bool {
        state.withLock { state in
            guard let removed = state.checkpoints.removeValue(forKey: id) else { return false }
            state.order[removed.summary.instance]?.removeAll { $0 == id }
            return true
        }
    }

    public func events(instance: String, afterSeq: UInt64, limit: Int) async throws -> [WorkflowEvent] {
        let slice: [[UInt8]] = state.withLock { state in
            guard let seqs = state.eventSeqs[instance], let events = state.events[instance] else { return [] }
            // seqs are increasing: binary search for the first seq > afterSeq.
            var low = 0, high = seqs.count
            while low < high {
                let mid = (low + high) / 2
                if seqs[mid] <= afterSeq { low = mid + 1 } else { high = mid }
            }
            return Array(events[low..<(low + min(events.count - low, max(0, limit)))])
        }
        return try slice.map { try WorkflowEvent(json: try JSON(parsing: $0)) }
    }

    public func oldestEventSeq(instance: String) async throws -> UInt64? {
        state.withLock { $0.eventSeqs[instance]?.first }
    }

    /// The last status committed for `instance`.
    public func status(instance: String) -> InstanceStatus? {
        state.withLock { $0.statuses[instance] }
    }

    /// The lineage head as committed for `instance` (nil before the first checkpoint or after a reset).
    public func head(instance: String) -> String? {
        state.withLock { $0.heads[instance] ?? nil }
    }

    /// Every logged event of `instance`, in order (for tests that check a whole log).
    public func allEvents(instance: String) throws -> [WorkflowEvent] {
        let all = state.withLock { $0.events[instance] ?? [] }
        return try all.map { try WorkflowEvent(json: try JSON(parsing: $0)) }
    }
}

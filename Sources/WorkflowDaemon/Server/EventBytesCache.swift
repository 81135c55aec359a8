import NIOConcurrencyHelpers
import WorkflowEngine
import WorkflowJSON

/// Events serialized once for every subscriber: a thousand subscriptions to one busy instance
/// share each event's bytes instead of building and serializing it a thousand times. Bounded:
/// the newest `capacity` events (a ring).
final class EventBytesCache: Sendable {
    /// Seqs start again at 1 when an instance is deleted and created anew under the same name:
    /// the event's time and run are part of the key, so a new event never gets an old one's bytes.
    private struct Key: Hashable {
        var instance: String
        var seq: UInt64
        var time: Double
        var runID: String?
    }

    private struct State {
        var entries: [Key: [UInt8]] = [:]
        var ring: [Key?]
        var next = 0
    }

    private let state: NIOLockedValueBox<State>

    init(capacity: Int = 4_096) {
        state = NIOLockedValueBox(State(ring: Array(repeating: nil, count: max(1, capacity))))
    }

    /// The event's JSON, serialized (keys sorted).
    func bytes(of event: WorkflowEvent) -> [UInt8] {
        // A live-only event shares its seq with a logged one, and goes by once: not cached.
        if event.isLive { return event.json.serializedBytes() }
        let key = Key(instance: event.instance, seq: event.seq, time: event.time, runID: event.runID)
        if let cached = state.withLockedValue({ $0.entries[key] }) { return cached }
        let bytes = event.json.serializedBytes()
        state.withLockedValue { state in
            guard state.entries[key] == nil else { return }
            if let evicted = state.ring[state.next] { state.entries[evicted] = nil }
            state.ring[state.next] = key
            state.next = (state.next + 1) % state.ring.count
            state.entries[key] = bytes
        }
        return bytes
    }
}

import NIOConcurrencyHelpers
import WorkflowEngine
import WorkflowJSON

/// Events serialized once for every subscriber: a thousand subscriptions to one busy instance
/// share each event's bytes instead of building and serializing it a thousand times. Bounded:
/// the newest `capacity` events (a ring).
final class EventBytesCache: Sendable {
    private struct Key: Hashable {
        var instance: String
        var seq: UInt64
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
        let key = Key(instance: event.instance, seq: event.seq)
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

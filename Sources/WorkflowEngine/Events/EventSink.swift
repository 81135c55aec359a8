import Synchronization

/// Where an instance's events are born: it stamps each with the next `seq` and the time and holds
/// them until the instance publishes them (after the store has committed them). Executors in child
/// tasks emit through it concurrently, so it is guarded by a mutex; while a concurrent superstep
/// runs, each emit also wakes the instance's flusher so events stream live.
final class EventSink: Sendable {
    private struct State {
        var nextSeq: UInt64
        var buffer: [WorkflowEvent] = []
        var wake: AsyncStream<Void>.Continuation?
    }

    let instance: String
    private let state: Mutex<State>

    init(instance: String, nextSeq: UInt64 = 1) {
        self.instance = instance
        self.state = Mutex(State(nextSeq: nextSeq))
    }

    /// Stamps and buffers an event; returns its seq.
    @discardableResult
    func emit(runID: String?, _ body: WorkflowEvent.Body) -> UInt64 {
        let time = Timestamp.now()
        let (seq, wake) = state.withLock { state -> (UInt64, AsyncStream<Void>.Continuation?) in
            let seq = state.nextSeq
            state.nextSeq += 1
            state.buffer.append(WorkflowEvent(seq: seq, time: time, instance: instance, runID: runID, body: body))
            return (seq, state.wake)
        }
        wake?.yield()
        return seq
    }

    /// Takes every buffered event, in seq order.
    func drain() -> [WorkflowEvent] {
        state.withLock { state in
            defer { state.buffer.removeAll(keepingCapacity: true) }
            return state.buffer
        }
    }

    var hasPending: Bool { state.withLock { !$0.buffer.isEmpty } }

    /// The seq the next event will get.
    var nextSeq: UInt64 { state.withLock { $0.nextSeq } }

    /// Sets (or clears) the continuation woken by each emit.
    func setWake(_ wake: AsyncStream<Void>.Continuation?) {
        state.withLock { $0.wake = wake }
    }
}

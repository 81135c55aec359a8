import Synchronization
import WorkflowConcurrency
import WorkflowJSON

/// Where an instance's events are born: it stamps each with the next `seq` and the time and holds
/// them until the instance publishes them (after the store has committed them). Executors in child
/// tasks emit through it concurrently, so it is guarded by a mutex; while a concurrent superstep
/// runs, each emit also wakes the instance's flusher so events stream live.
///
/// What executors emit goes through a **scope**, opened when their superstep starts and closed when
/// it ends, fails or is cancelled: an emit from a closed scope (a cancelled sibling, a context that
/// escaped into a task of its own) is dropped, so nothing of a superstep lands after it is over.
final class EventSink: Sendable {
    private struct State {
        var nextSeq: UInt64
        var buffer: [WorkflowEvent] = []
        /// The open scope (0: none) and the last scope handed out.
        var openScope: UInt64 = 0
        var lastScope: UInt64 = 0
        /// How many of the buffered events are live-only.
        var liveCount = 0
    }

    let instance: String
    private let state: Locked<State>
    /// The flusher to wake on each emit while a concurrent superstep runs (read only when
    /// `flushing` says there is one, so that inline supersteps pay nothing for it).
    private let wake = Locked<AsyncStream<Void>.Continuation?>(nil)
    private let flushing = Atomic<Bool>(false)

    init(instance: String, nextSeq: UInt64 = 1) {
        self.instance = instance
        self.state = Locked(State(nextSeq: nextSeq))
    }

    /// Stamps and buffers an event of the engine itself (it always lands); returns its seq.
    @discardableResult
    func emit(runID: String?, _ body: WorkflowEvent.Body, time: Double? = nil) -> UInt64 {
        let time = time ?? Timestamp.now()
        let seq = state.withLock { state -> UInt64 in
            let seq = state.nextSeq
            state.nextSeq += 1
            state.buffer.append(WorkflowEvent(seq: seq, time: time, instance: instance, runID: runID, body: body))
            return seq
        }
        wakeFlusher()
        return seq
    }

    /// Stamps and buffers an executor's event, if its `scope` is still open.
    /// - Returns: whether the event was taken.
    @discardableResult
    func emit(inScope scope: UInt64, runID: String?, _ body: WorkflowEvent.Body, time: Double? = nil) -> Bool {
        let time = time ?? Timestamp.now()
        let taken = state.withLock { state -> Bool in
            guard state.openScope == scope else { return false }
            state.buffer.append(WorkflowEvent(seq: state.nextSeq, time: time, instance: instance, runID: runID, body: body))
            state.nextSeq += 1
            return true
        }
        if taken { wakeFlusher() }
        return taken
    }

    /// Buffers a live-only event (``WorkflowEvent/isLive``) if `scope` is still open: it takes the
    /// seq of the event before it and uses none of its own, so the log's seqs stay gapless.
    /// - Returns: whether the event was taken.
    @discardableResult
    func emitLive(inScope scope: UInt64, runID: String?, _ body: WorkflowEvent.Body) -> Bool {
        let time = Timestamp.now()
        let taken = state.withLock { state -> Bool in
            guard state.openScope == scope else { return false }
            state.buffer.append(WorkflowEvent(seq: state.nextSeq - 1, time: time, instance: instance, runID: runID, body: body))
            state.liveCount += 1
            return true
        }
        if taken { wakeFlusher() }
        return taken
    }

    /// Opens the scope of a new superstep (closing any other).
    func openScope() -> UInt64 {
        state.withLock { state in
            state.lastScope += 1
            state.openScope = state.lastScope
            return state.lastScope
        }
    }

    /// Closes `scope`; returns whether it was open (the first closer of a failing superstep).
    @discardableResult
    func closeScope(_ scope: UInt64) -> Bool {
        state.withLock { state in
            guard state.openScope == scope else { return false }
            state.openScope = 0
            return true
        }
    }

    /// Closes whatever scope is open (a cancel, a reset).
    func closeOpenScope() {
        state.withLock { $0.openScope = 0 }
    }

    /// Whether `scope` is open.
    func isOpen(_ scope: UInt64) -> Bool { state.withLock { $0.openScope == scope } }

    /// Takes every buffered event, in seq order.
    func drain() -> [WorkflowEvent] {
        drainCounting().events
    }

    /// Takes every buffered event, in seq order, and says how many are live-only (most
    /// batches have none, and need no filtering).
    func drainCounting() -> (events: [WorkflowEvent], live: Int) {
        state.withLock { state in
            defer {
                state.buffer.removeAll(keepingCapacity: true)
                state.liveCount = 0
            }
            return (state.buffer, state.liveCount)
        }
    }

    /// Drops what is buffered and numbers the next event `seq`: after a failed commit, what the
    /// store never got is forgotten, so the log has no gap.
    func discard(restartingAt seq: UInt64) {
        state.withLock { state in
            state.buffer.removeAll(keepingCapacity: true)
            state.liveCount = 0
            state.nextSeq = seq
        }
    }

    var hasPending: Bool { state.withLock { !$0.buffer.isEmpty } }

    /// The seq the next event will get.
    var nextSeq: UInt64 { state.withLock { $0.nextSeq } }

    /// Sets (or clears) the continuation woken by each emit.
    func setWake(_ continuation: AsyncStream<Void>.Continuation?) {
        wake.withLock { $0 = continuation }
        flushing.store(continuation != nil, ordering: .releasing)
    }

    private func wakeFlusher() {
        guard flushing.load(ordering: .acquiring) else { return }
        wake.withLock { $0 }?.yield()
    }
}

import WorkflowConcurrency
import WorkflowJSON

/// One subscriber's bounded queue of live events: the instance pushes batches, the subscriber's
/// iterator takes them. Past its limit (a batch beyond it is taken only into an empty queue) it
/// overflows: what it held is dropped at once (memory stays
/// bounded) and the subscriber learns so on its next read.
final class SubscriptionBuffer: Sendable {
    enum PushResult {
        case accepted
        /// The buffer overflowed (or had already): the instance forgets this subscriber.
        case overflowed
        /// The subscriber finished or unsubscribed.
        case closed
    }

    private struct State {
        var batches: [[WorkflowEvent]] = []
        var head = 0
        var count = 0
        var waiter: CheckedContinuation<[WorkflowEvent]?, any Error>?
        var finished = false
        var overflowed = false
    }

    /// Events a buffer may hold whatever the shared budget says: a reader that keeps up has a
    /// batch or two waiting at times, and is not dropped for the slow ones' sake.
    static let fairShare = 64

    let limit: Int
    /// Only events of this run (a run handle's stream), or all.
    let runID: String?
    /// Shared with other buffers: what they may hold together.
    let budget: EventBudget?
    private let state = Locked(State())

    init(limit: Int, runID: String? = nil, budget: EventBudget? = nil) {
        self.limit = max(1, limit)
        self.runID = runID
        self.budget = budget
    }

    deinit {
        budget?.give(state.withLock { $0.count })
    }

    func push(_ events: [WorkflowEvent]) -> PushResult {
        var events = events
        if let runID { events.removeAll { $0.runID != runID } }
        if events.isEmpty { return state.withLock { $0.overflowed ? .overflowed : ($0.finished ? .closed : .accepted) } }
        let (result, waiter, handoff) = state.withLock { state -> (PushResult, CheckedContinuation<[WorkflowEvent]?, any Error>?, [WorkflowEvent]?) in
            if state.overflowed { return (.overflowed, nil, nil) }
            if state.finished { return (.closed, nil, nil) }
            if let waiter = state.waiter {
                state.waiter = nil
                return (.accepted, waiter, events)
            }
            // An empty buffer takes a batch of any size (a group commit's): a reader that keeps
            // up never overflows, and what is held stays under the limit plus one batch. One
            // that is behind (more than a fair share waiting) also needs room in the budget all
            // buffers share.
            let total = state.count + events.count
            let accepted: Bool
            if state.count == 0 {
                accepted = true
                budget?.force(events.count)
            } else if total > limit {
                accepted = false
            } else if total <= Self.fairShare {
                accepted = true
                budget?.force(events.count)
            } else {
                accepted = budget?.take(events.count) ?? true
            }
            guard accepted else {
                budget?.give(state.count)
                state.overflowed = true
                state.batches = []
                state.head = 0
                state.count = 0
                return (.overflowed, nil, nil)
            }
            state.batches.append(events)
            state.count += events.count
            return (.accepted, nil, nil)
        }
        if let waiter {
            if let handoff { waiter.resume(returning: handoff) } else { waiter.resume(throwing: Overflowed()) }
        }
        return result
    }

    /// Ends the stream after what it holds (the run ended, or the subscriber unsubscribed).
    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<[WorkflowEvent]?, any Error>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    var isClosed: Bool { state.withLock { $0.finished || $0.overflowed } }

    /// Thrown by ``next()`` once the buffer has overflowed (the iterator adds the last seq).
    struct Overflowed: Error {}

    /// The next batch, nil once finished; throws ``Overflowed`` after an overflow, or
    /// `CancellationError` if the waiting task is cancelled.
    func next() async throws -> [WorkflowEvent]? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[WorkflowEvent]?, any Error>) in
                let now: Result<[WorkflowEvent]?, any Error>? = state.withLock { state in
                    if state.overflowed { return .failure(Overflowed()) }
                    if state.head < state.batches.count {
                        let batch = state.batches[state.head]
                        state.head += 1
                        state.count -= batch.count
                        budget?.give(batch.count)
                        if state.head == state.batches.count {
                            state.batches.removeAll(keepingCapacity: true)
                            state.head = 0
                        }
                        return .success(batch)
                    }
                    if state.finished { return .success(nil) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.waiter = continuation
                    return nil
                }
                if let now { continuation.resume(with: now) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<[WorkflowEvent]?, any Error>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }
}

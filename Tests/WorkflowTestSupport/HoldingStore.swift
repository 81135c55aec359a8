import WorkflowConcurrency
import WorkflowEngine
import WorkflowJSON

/// A store (in memory, or wrapping another) that holds commits whose batches match a condition
/// until the test lets them go: the instance's actor is free meanwhile, exactly as while a real
/// commit is written, so a test can put a request into that window. A held commit is not
/// cancellable (a real store's commit is not interrupted by the cancel of the task that waits).
public final class HoldingStore: CheckpointStore {
    public let base: any CheckpointStore
    private let holds = Locked<[Hold]>([])

    public init(wrapping base: any CheckpointStore = InMemoryCheckpointStore()) {
        self.base = base
    }

    /// One commit to hold: the first, from now on, whose batches match the condition.
    public final class Hold: Sendable {
        fileprivate let condition: @Sendable ([StoreBatch]) -> Bool
        private struct State {
            var held: CheckedContinuation<Void, Never>?
            var released = false
            var arrived = false
            var arrivalWaiters: [CheckedContinuation<Void, Never>] = []
        }
        private let state = Locked(State())

        fileprivate init(_ condition: @escaping @Sendable ([StoreBatch]) -> Bool) {
            self.condition = condition
        }

        /// Returns once the commit has arrived (and is being held).
        public func holding() async {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if state.arrived { return true }
                    state.arrivalWaiters.append(continuation)
                    return false
                }
                if now { continuation.resume() }
            }
        }

        /// Lets the commit go on (at once when it arrives, if it has not yet).
        public func release() {
            let held = state.withLock { state in
                state.released = true
                defer { state.held = nil }
                return state.held
            }
            held?.resume()
        }

        fileprivate func wait() async {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let (go, waiters) = state.withLock { state -> (Bool, [CheckedContinuation<Void, Never>]) in
                    state.arrived = true
                    defer { state.arrivalWaiters = [] }
                    if state.released { return (true, state.arrivalWaiters) }
                    state.held = continuation
                    return (false, state.arrivalWaiters)
                }
                for waiter in waiters { waiter.resume() }
                if go { continuation.resume() }
            }
        }
    }

    /// Holds the next commit whose batches match `condition` (once); the test awaits
    /// ``Hold/holding()`` and calls ``Hold/release()``.
    @discardableResult
    public func hold(when condition: @escaping @Sendable ([StoreBatch]) -> Bool) -> Hold {
        let hold = Hold(condition)
        holds.withLock { $0.append(hold) }
        return hold
    }

    public func commit(_ batches: [StoreBatch]) async throws {
        let hold = holds.withLock { holds -> Hold? in
            guard let index = holds.firstIndex(where: { $0.condition(batches) }) else { return nil }
            return holds.remove(at: index)
        }
        if let hold { await hold.wait() }
        try await base.commit(batches)
    }

    public func checkpoint(id: String) async throws -> Checkpoint? { try await base.checkpoint(id: id) }
    public func checkpoints(instance: String) async throws -> [CheckpointSummary] { try await base.checkpoints(instance: instance) }
    @discardableResult
    public func deleteCheckpoint(id: String) async throws -> Bool { try await base.deleteCheckpoint(id: id) }
    public func events(instance: String, afterSeq: UInt64, limit: Int) async throws -> [WorkflowEvent] {
        try await base.events(instance: instance, afterSeq: afterSeq, limit: limit)
    }
    public func oldestEventSeq(instance: String) async throws -> UInt64? { try await base.oldestEventSeq(instance: instance) }
    public func lineage(of id: String) async throws -> [CheckpointSummary] { try await base.lineage(of: id) }
}

extension StoreBatch {
    /// Whether the batch records the end of a run with status `status`.
    public func ends(with status: InstanceStatus) -> Bool {
        self.status == status && events.contains { if case .status(status) = $0.body { $0.runID != nil } else { false } }
    }

    /// Whether the batch records the start of a run.
    public var startsARun: Bool {
        events.contains { if case .runStarted = $0.body { true } else { false } }
    }
}

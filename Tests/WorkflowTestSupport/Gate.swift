import WorkflowConcurrency
import WorkflowJSON

/// A latch a test opens to let executors go on. Waiting is cancellation-aware: a cancelled
/// waiter gets `CancellationError`.
public final class Gate: Sendable {
    private struct State {
        var isOpen = false
        var waiters: [Int: CheckedContinuation<Void, any Error>] = [:]
        var next = 0
        var arrivals = 0
        var arrivalWaiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = Locked(State())

    public init() {}

    public func open() {
        let waiters = state.withLock { state in
            state.isOpen = true
            defer { state.waiters = [:] }
            return state.waiters
        }
        for (_, waiter) in waiters { waiter.resume() }
    }

    public func wait() async throws {
        let id: Int = state.withLock { state in
            state.arrivals += 1
            let ready = state.arrivalWaiters.filter { $0.count <= state.arrivals }
            state.arrivalWaiters.removeAll { $0.count <= state.arrivals }
            for waiter in ready { waiter.continuation.resume() }
            state.next += 1
            return state.next
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow: Result<Void, any Error>? = state.withLock { state in
                    if state.isOpen { return .success(()) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.waiters[id] = continuation
                    return nil
                }
                if let resumeNow { continuation.resume(with: resumeNow) }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// Counts an arrival without waiting for the gate.
    public func arrive() {
        state.withLock { state in
            state.arrivals += 1
            let ready = state.arrivalWaiters.filter { $0.count <= state.arrivals }
            state.arrivalWaiters.removeAll { $0.count <= state.arrivals }
            for waiter in ready { waiter.continuation.resume() }
        }
    }

    /// Returns once `count` waiters have arrived at the gate.
    public func arrived(_ count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state -> Bool in
                if state.arrivals >= count { return true }
                state.arrivalWaiters.append((count, continuation))
                return false
            }
            if now { continuation.resume() }
        }
    }
}


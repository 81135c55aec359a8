

/// A value that arrives once (a run's result, a worker's answer): resolved by one side, awaited
/// by the other, in either order. A waiter whose task is cancelled stops waiting at once, with
/// `CancellationError`, and the promise counts as resolved by that. One waiter only: to wait
/// together, each waiter takes a promise of its own.
package final class Promise<Value: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Value, any Error>?
        var outcome: Result<Value, any Error>?
    }

    private let state = Locked(State())

    /// What a second waiter gets (a bug in the caller, surfaced instead of a task hung forever).
    package struct SecondWaiter: Error, CustomStringConvertible {
        package var description: String { "a promise has one waiter; a second one waited on it" }
    }

    package init() {}

    /// Resolves the promise (the first resolution wins; later ones are ignored).
    package func resolve(_ outcome: Result<Value, any Error>) {
        let continuation = state.withLock { state -> CheckedContinuation<Value, any Error>? in
            guard state.outcome == nil else { return nil }
            state.outcome = outcome
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume(with: outcome)
    }

    package var isResolved: Bool { state.withLock { $0.outcome != nil } }

    /// The value, once it is there, whether or not the waiting task is cancelled meanwhile: for
    /// a waiter whose turn others count on (a group commit hands the next round to the first
    /// waiter; a cancelled one that left would stall every commit after it).
    package func valueIgnoringCancellation() async throws -> Value {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, any Error>) in
            let now: Result<Value, any Error>? = state.withLock { state in
                if let outcome = state.outcome { return outcome }
                if state.continuation != nil { return .failure(SecondWaiter()) }
                state.continuation = continuation
                return nil
            }
            if let now { continuation.resume(with: now) }
        }
    }

    /// The value, once it is there.
    package func value() async throws -> Value {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, any Error>) in
                let now: Result<Value, any Error>? = state.withLock { state in
                    if let outcome = state.outcome { return outcome }
                    // One waiter only: a second would replace (and so leak) the first's
                    // continuation and hang its task; it gets an error instead.
                    if state.continuation != nil {
                        return .failure(SecondWaiter())
                    }
                    if Task.isCancelled {
                        state.outcome = .failure(CancellationError())
                        return state.outcome
                    }
                    state.continuation = continuation
                    return nil
                }
                if let now { continuation.resume(with: now) }
            }
        } onCancel: {
            resolve(.failure(CancellationError()))
        }
    }
}

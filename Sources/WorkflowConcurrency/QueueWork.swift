import Dispatch

/// Work that blocks (opening a database, reading files), run on a dispatch queue of the caller's
/// and awaited without holding a thread of Swift's cooperative pool.
public enum QueueWork {
    /// Runs `body` on `queue` and returns what it returns (or throws what it throws).
    ///
    /// The result is handed over through a ``Locked`` box as well as the continuation: when the
    /// queue resumes the continuation before the awaiting task has suspended, the task goes on
    /// with no hand-off but an atomic inside the (uninstrumented) concurrency runtime, and
    /// ThreadSanitizer reported everything `body` built as racing with its first use. The lock
    /// makes the hand-off visible to it; it costs one uncontended lock.
    public static func run<T>(on queue: DispatchQueue, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        let box = Locked<Result<T, any Error>?>(nil)
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            queue.async {
                box.withLock { $0 = Result { try body() } }
                continuation.resume()
            }
        }
        return try box.withLock { $0.take()! }.get()
    }
}

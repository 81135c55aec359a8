import Dispatch
import WorkflowConcurrency
import WorkflowJSON

/// A wait that took longer than its bound: the test fails naming what it waited for, instead of
/// hanging the suite.
public struct TimedOut: Error, CustomStringConvertible {
    public var what: String
    public var limit: Duration
    public var description: String { "timed out after \(limit) waiting for \(what)" }
}

/// Runs `operation`, and throws ``TimedOut`` if it has not finished within `limit` (stretched by
/// ``TestEnvironment/slowdown`` under a sanitizer). The operation is then cancelled and left
/// behind: a test never waits on something that does not end, whether or not it heeds the cancel.
public func within<T: Sendable>(_ limit: Duration, _ what: @autoclosure () -> String,
                                _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    let limit = TestEnvironment.scaled(limit)
    let what = what()
    let outcome = Locked<CheckedContinuation<T, any Error>?>(nil)
    return try await withCheckedThrowingContinuation { continuation in
        outcome.withLock { $0 = continuation }
        func finish(_ result: Result<T, any Error>) {
            outcome.withLock { waiting in
                waiting?.resume(with: result)
                waiting = nil
            }
        }
        let work = Task {
            do { finish(.success(try await operation())) } catch { finish(.failure(error)) }
        }
        Task {
            try? await Task.sleep(for: limit)
            finish(.failure(TimedOut(what: what, limit: limit)))
            work.cancel()
        }
    }
}

/// Waits until `condition` holds, asking it again after each turn of the executor, for at most
/// `limit`: for state that no event announces (an actor's internal phase), never to pace a test.
public func eventually(_ limit: Duration, _ what: @autoclosure () -> String,
                       _ condition: @escaping @Sendable () async throws -> Bool) async throws {
    try await within(limit, what()) {
        while try await !condition() {
            try Task.checkCancellation()
            await Task.yield()
        }
    }
}

/// Asks `condition` every `interval` (on a dispatch timer, so nothing spins or blocks a thread
/// meanwhile) until it holds, for at most `limit` (stretched under a sanitizer); returns whether
/// it held. For what no event announces from outside this process: a file another process
/// writes, a process that appears in /proc.
public func poll(every interval: Duration = .milliseconds(20), for limit: Duration,
                 _ condition: @escaping @Sendable () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + TestEnvironment.scaled(limit)
    let nanoseconds = Int(interval.components.seconds) * 1_000_000_000 + Int(interval.components.attoseconds / 1_000_000_000)
    return await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "workflowd.tests.poll"))
        let done = Locked(false)
        timer.schedule(deadline: .now(), repeating: .nanoseconds(nanoseconds))
        timer.setEventHandler {
            let held = condition()
            guard held || ContinuousClock.now >= deadline else { return }
            guard done.withLock({ finished in defer { finished = true }; return !finished }) else { return }
            timer.cancel()
            continuation.resume(returning: held)
        }
        timer.resume()
    }
}

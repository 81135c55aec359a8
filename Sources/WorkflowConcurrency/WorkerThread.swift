#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One thread of its own that runs blocking jobs in the order they were given, for work that must
/// be serial and is on the request path (the store's commits).
///
/// A dispatch queue does the same job, but on Linux each `async` to an idle queue wakes a thread
/// of dispatch's pool (a different one each time, through its own work queue), and the awaiting
/// task is resumed from there: on a small virtual machine those hand-offs cost more than the
/// commit. Here the thread sleeps on one condition variable; a job given while it works is taken
/// without any wake-up, and every job waiting is taken at once.
///
/// Jobs are not bounded here: each caller awaits its job, so there are never more than the
/// callers in flight (the daemon bounds those).
public final class WorkerThread: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var jobs: [@Sendable () -> Void] = []
    private var stopping = false
    private var idle = false
    /// The thread's name, for messages.
    public let name: String

    /// Starts the thread, called `name` in messages.
    public init(name: String) {
        self.name = name
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        pthread_cond_init(condition, nil)
        // The thread keeps its worker alive until `stop()` lets the loop end.
        let unmanaged = Unmanaged.passRetained(self)
        var handle = pthread_t()
        let status = pthread_create(&handle, nil, { argument in
            let worker = Unmanaged<WorkerThread>.fromOpaque(argument!).takeRetainedValue()
            worker.loop()
            return nil
        }, unmanaged.toOpaque())
        precondition(status == 0, "pthread_create failed: \(status)")
        pthread_detach(handle)
    }

    deinit {
        pthread_cond_destroy(condition)
        condition.deinitialize(count: 1)
        condition.deallocate()
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// What ``run(_:)`` throws once the thread was stopped.
    public struct Stopped: Error, CustomStringConvertible {
        /// The thread's name.
        public let name: String
        /// Says which thread.
        public var description: String { "the worker thread \(name) was stopped" }
    }

    /// Runs `job` on the thread, after every job given before it. Returns false, and drops the
    /// job, once the thread was stopped (something that outlived the thread's owner).
    @discardableResult
    public func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
        pthread_mutex_lock(mutex)
        guard !stopping else {
            pthread_mutex_unlock(mutex)
            return false
        }
        jobs.append(job)
        let wake = idle
        pthread_mutex_unlock(mutex)
        if wake { pthread_cond_signal(condition) }
        return true
    }

    /// Runs `body` on the thread and returns what it returns (or throws what it throws). The
    /// caller's cancellation does not interrupt it: once given, a job runs. Throws ``Stopped``
    /// if the thread was stopped.
    ///
    /// The result goes through a lock as well as the continuation, so that ThreadSanitizer sees
    /// the hand-off (see ``QueueWork``).
    public func run<T>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        let box = Locked<Result<T, any Error>?>(nil)
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let given = submit {
                box.withLock { $0 = Result { try body() } }
                continuation.resume()
            }
            if !given { continuation.resume(throwing: Stopped(name: name)) }
        }
        return try box.withLock { $0.take()! }.get()
    }

    /// Lets the thread finish the jobs it was given and end.
    public func stop() {
        pthread_mutex_lock(mutex)
        stopping = true
        pthread_mutex_unlock(mutex)
        pthread_cond_signal(condition)
    }

    private func loop() {
        while true {
            pthread_mutex_lock(mutex)
            while jobs.isEmpty && !stopping {
                idle = true
                pthread_cond_wait(condition, mutex)
                idle = false
            }
            let taken = jobs
            jobs = []
            let done = taken.isEmpty && stopping
            pthread_mutex_unlock(mutex)
            if done { return }
            for job in taken { job() }
        }
    }
}

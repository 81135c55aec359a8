#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A value behind a lock, for the little state that threads and tasks share outside an actor
/// (an id generator, a subscription buffer, a promise). Its lock is a `pthread_mutex_t`, not the
/// futex of `Synchronization.Mutex`: ThreadSanitizer understands pthread mutexes, so a run of the
/// tests under `--sanitize=thread` reports real races instead of every access the futex guards.
/// Uncontended, the two cost the same (a few nanoseconds); hold it only for a few instructions.
public final class Locked<Value>: @unchecked Sendable {
    @usableFromInline let mutex: UnsafeMutablePointer<pthread_mutex_t>
    @usableFromInline var value: Value

    /// A lock around `value`.
    public init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        let status = pthread_mutex_init(mutex, nil)
        precondition(status == 0, "pthread_mutex_init failed: \(status)")
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Runs `body` with the value, under the lock.
    @inlinable @inline(__always)
    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }

    /// The value, read or changed in place with the lock held for as long as the access lasts:
    /// what a property's `_read` or `_modify` accessor yields, where a closure cannot.
    @inlinable
    public var locked: Value {
        _read {
            pthread_mutex_lock(mutex)
            defer { pthread_mutex_unlock(mutex) }
            yield value
        }
        _modify {
            pthread_mutex_lock(mutex)
            defer { pthread_mutex_unlock(mutex) }
            yield &value
        }
    }
}

import NIOConcurrencyHelpers
import NIOCore
import SystemdSupport
import WorkflowJSON
import WorkflowProtocol

/// Everything one connection sends goes through here, in order: responses and notifications
/// are queued (a bounded number of bytes for events, and a budget all connections share) and
/// written by one task. A reader too slow for the queue does not grow the daemon's memory: its
/// events are refused, and the subscription that sent them is dropped with `events.overflow`.
///
/// Its lock is NIO's (a pthread mutex) rather than `Synchronization.Mutex`: ThreadSanitizer does
/// not see the futex-based `Mutex` on Linux and reported the accesses it guards as races.
final class ConnectionWriter: Sendable {
    private struct State {
        var queue: [ByteBuffer] = []
        var queuedBytes = 0
        var waiter: CheckedContinuation<Void, Never>?
        var finished = false
        /// Since when a write has waited on the peer (nil: none is waiting), in µs.
        var writingSince: UInt64?
    }

    let limit: Int
    let budget: QueueBudget
    private let state = NIOLockedValueBox(State())

    /// - Parameters:
    ///   - limit: bytes this connection may have waiting for events.
    ///   - budget: what all connections share (see ``QueueBudget``).
    init(limit: Int, budget: QueueBudget) {
        self.limit = limit
        self.budget = budget
    }

    /// Queues a response (always taken until the connection ends: requests in flight are bounded).
    func send(_ message: JSON) {
        _ = enqueue(message, bounded: false)
    }

    /// Queues an event notification (its line), unless it would take the queue past its limit or
    /// the connections' shared budget.
    /// - Returns: whether it was taken.
    func sendEvent(line: [UInt8]) -> Bool {
        enqueue(ByteBuffer(bytes: line), bounded: true)
    }

    private func enqueue(_ message: JSON, bounded: Bool) -> Bool {
        enqueue(ByteBuffer(bytes: RPCOutgoing.line(message)), bounded: bounded)
    }

    private func enqueue(_ buffer: ByteBuffer, bounded: Bool) -> Bool {
        let size = buffer.readableBytes
        let waiter = state.withLockedValue { state -> (Bool, CheckedContinuation<Void, Never>?) in
            if state.finished { return (false, nil) }
            if bounded {
                if state.queuedBytes + size > limit { return (false, nil) }
                let stalled = state.writingSince.map { MonotonicClock.microseconds() - $0 > QueueBudget.stallAfter } ?? false
                if !budget.reserveEvent(size, connectionQueued: state.queuedBytes, stalled: stalled) { return (false, nil) }
            } else {
                budget.reserve(size)
            }
            state.queue.append(buffer)
            state.queuedBytes += buffer.readableBytes
            defer { state.waiter = nil }
            return (true, state.waiter)
        }
        waiter.1?.resume()
        return waiter.0
    }

    /// Bytes waiting to be written.
    var queuedBytes: Int { state.withLockedValue { $0.queuedBytes } }

    /// Nothing more is taken; ``run(_:)`` ends once what is queued is written.
    func finish() {
        let waiter = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Writes what is queued, batch by batch, until finished (or the channel fails).
    func run(_ outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) async {
        while true {
            let batch = await next()
            guard let batch else { return }
            let bytes = batch.reduce(0) { $0 + $1.readableBytes }
            state.withLockedValue { $0.writingSince = MonotonicClock.microseconds() }
            do {
                try await outbound.write(contentsOf: batch)
            } catch {
                let dropped = state.withLockedValue { state -> Int in
                    defer {
                        state.finished = true
                        state.queue = []
                        state.queuedBytes = 0
                    }
                    return state.queuedBytes
                }
                budget.release(dropped)
                return
            }
            state.withLockedValue {
                $0.queuedBytes -= bytes
                $0.writingSince = nil
            }
            budget.release(bytes)
        }
    }

    private func next() async -> [ByteBuffer]? {
        while true {
            let taken = state.withLockedValue { state -> [ByteBuffer]?? in
                if !state.queue.isEmpty {
                    defer { state.queue = [] }
                    return .some(state.queue)
                }
                if state.finished { return .some(nil) }
                return nil
            }
            if let taken { return taken }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLockedValue { state -> Bool in
                    if !state.queue.isEmpty || state.finished { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }
}

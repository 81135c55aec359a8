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
        /// Senders waiting for the queue to drain under ``ConnectionWriter/roomMark``.
        var roomWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextRoomWaiter = 0
    }

    /// A replay (events read from the log) waits for the queue to drain under this many bytes
    /// before it sends more: a subscription from seq 0 on a long log is paced by its reader
    /// instead of filling the queue to its limit (200 clients replaying at once held 200 × 8 MiB).
    static let roomMark = 64 << 10

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

    /// Senders waiting for room now (tests await a sender's wait instead of sleeping).
    var roomWaiterCount: Int { state.withLockedValue { $0.roomWaiters.count } }

    /// Waits until fewer than ``roomMark`` bytes are queued, the connection ends, or `timeout`
    /// passes (a reader that does not read).
    /// - Returns: false if the time ran out with the queue still full.
    func waitForRoom(timeout: Duration) async -> Bool {
        if state.withLockedValue({ $0.finished || $0.queuedBytes < Self.roomMark }) { return true }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await self.roomOrCancellation()
                return !Task.isCancelled
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    private func roomOrCancellation() async {
        let id = state.withLockedValue { state -> Int in
            defer { state.nextRoomWaiter += 1 }
            return state.nextRoomWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLockedValue { state -> Bool in
                    if state.finished || state.queuedBytes < Self.roomMark || Task.isCancelled { return true }
                    state.roomWaiters[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            state.withLockedValue { $0.roomWaiters.removeValue(forKey: id) }?.resume()
        }
    }

    /// The senders waiting for room, if there is room now (or the connection ended).
    private static func takeRoomWaiters(_ state: inout State) -> [CheckedContinuation<Void, Never>] {
        guard !state.roomWaiters.isEmpty, state.finished || state.queuedBytes < roomMark else { return [] }
        defer { state.roomWaiters = [:] }
        return Array(state.roomWaiters.values)
    }

    /// Nothing more is taken; ``run(_:)`` ends once what is queued is written.
    func finish() {
        let (waiter, roomWaiters) = state.withLockedValue { state -> (CheckedContinuation<Void, Never>?, [CheckedContinuation<Void, Never>]) in
            state.finished = true
            defer { state.waiter = nil }
            return (state.waiter, Self.takeRoomWaiters(&state))
        }
        waiter?.resume()
        for waiter in roomWaiters { waiter.resume() }
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
                let (dropped, roomWaiters) = state.withLockedValue { state -> (Int, [CheckedContinuation<Void, Never>]) in
                    let dropped = state.queuedBytes
                    state.finished = true
                    state.queue = []
                    state.queuedBytes = 0
                    return (dropped, Self.takeRoomWaiters(&state))
                }
                budget.release(dropped)
                for waiter in roomWaiters { waiter.resume() }
                return
            }
            let roomWaiters = state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
                state.queuedBytes -= bytes
                state.writingSince = nil
                return Self.takeRoomWaiters(&state)
            }
            budget.release(bytes)
            for waiter in roomWaiters { waiter.resume() }
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

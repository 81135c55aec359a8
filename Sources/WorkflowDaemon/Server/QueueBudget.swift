import NIOConcurrencyHelpers

/// The bytes all connections may have waiting to be written, together: events beyond it are
/// refused (their subscriptions overflow and are dropped; a client resumes with `afterSeq`), so
/// a thousand connections that never read hold at most this much, not a thousand queues' worth.
///
/// Beyond the budget, only a *stalled* connection (a write waiting on its peer for longer than
/// ``stallAfter``) with more than its fair share queued is refused: readers that keep up keep
/// streaming while the ones that do not read fill the budget and are dropped.
final class QueueBudget: Sendable {
    let limit: Int
    let fairShare: Int
    private let used = NIOLockedValueBox(0)

    /// How long a write may wait on its peer before the connection counts as stalled (µs).
    static let stallAfter: UInt64 = 50_000

    init(limit: Int, fairShare: Int = 16 << 10) {
        self.limit = limit
        self.fairShare = fairShare
    }

    /// Takes `bytes` for an event if the budget allows, or the connection's queue is under its
    /// fair share, or the connection is not stalled (its writes go through: a reader that keeps
    /// up is never dropped for the others' sake).
    func reserveEvent(_ bytes: Int, connectionQueued: Int, stalled: Bool) -> Bool {
        used.withLockedValue { used in
            guard used + bytes <= limit || connectionQueued + bytes <= fairShare || !stalled else { return false }
            used += bytes
            return true
        }
    }

    /// Takes `bytes` for a response: always (requests in flight are bounded).
    func reserve(_ bytes: Int) {
        used.withLockedValue { $0 += bytes }
    }

    func release(_ bytes: Int) {
        used.withLockedValue { $0 -= bytes }
    }

    /// Bytes waiting in all connections.
    var queued: Int { used.withLockedValue { $0 } }
}

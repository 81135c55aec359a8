import NIOConcurrencyHelpers

/// The bytes all connections may have waiting to be written, together: events beyond it are
/// refused (their subscriptions overflow and are dropped; a client resumes with `afterSeq`), so
/// a thousand connections that never read hold at most this much, not a thousand queues' worth.
///
/// A connection whose own queue is under its fair share is never refused for the others' sake:
/// readers that keep up keep streaming while slow ones fill the budget. In all, at most
/// `limit + connections × fairShare` bytes wait.
final class QueueBudget: Sendable {
    let limit: Int
    let fairShare: Int
    private let used = NIOLockedValueBox(0)

    init(limit: Int, fairShare: Int = 32 << 10) {
        self.limit = limit
        self.fairShare = fairShare
    }

    /// Takes `bytes` for an event if the budget (or the connection's fair share) allows.
    func reserveEvent(_ bytes: Int, connectionQueued: Int) -> Bool {
        used.withLockedValue { used in
            guard used + bytes <= limit || connectionQueued + bytes <= fairShare else { return false }
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

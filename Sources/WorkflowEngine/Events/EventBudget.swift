import WorkflowConcurrency
import WorkflowJSON

/// Events that the subscription buffers of many instances may hold together.
///
/// Each subscription's buffer is bounded on its own (``InstanceConfiguration/subscriptionBufferLimit``),
/// but a daemon with a thousand subscriptions whose clients fall behind (a replay of a long log
/// while the instance keeps running) would hold a thousand buffers' worth. With a budget shared
/// by every instance, a subscriber that is behind gets a batch only while the budget allows;
/// beyond it, its subscription overflows (the client resumes from the log with `afterSeq`). A
/// subscriber that keeps up (its buffer empty) always gets the next batch, so the budget never
/// starves readers that read.
public final class EventBudget: Sendable {
    /// Events all buffers may hold together.
    public let limit: Int
    private let used = Locked(0)

    /// Makes a budget of `limit` events (at least 1).
    public init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Events the buffers hold now.
    public var inUse: Int { used.withLock { $0 } }

    /// Takes `count` if the budget has room.
    func take(_ count: Int) -> Bool {
        used.withLock { used in
            guard used + count <= limit else { return false }
            used += count
            return true
        }
    }

    /// Takes `count` regardless (a batch into an empty buffer).
    func force(_ count: Int) {
        used.withLock { $0 += count }
    }

    func give(_ count: Int) {
        guard count > 0 else { return }
        used.withLock { $0 -= count }
    }
}

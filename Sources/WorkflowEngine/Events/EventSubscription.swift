/// A live, bounded sequence of an instance's events, in seq order with no gap and no duplicate:
/// first those the log holds after the `afterSeq` it was made with (read from the store a page at
/// a time, outside the instance), then live ones as they are committed.
///
/// ```swift
/// let subscription = try await instance.subscribe(afterSeq: lastSeen)
/// for try await event in subscription { print(event.json) }
/// ```
///
/// A subscriber that falls more than the instance's `subscriptionBufferLimit` events behind is
/// dropped: iteration throws ``SubscriptionOverflow`` with the last seq it got, and a new
/// subscription after that seq picks up where it stopped. A run handle's subscription ends when
/// its run ends; an instance's, when ``WorkflowInstance/unsubscribe(_:)`` is called.
public struct EventSubscription: AsyncSequence, Sendable {
    public typealias Element = WorkflowEvent
    public typealias Failure = any Error

    /// Names the subscription for ``WorkflowInstance/unsubscribe(_:)``.
    public let id: Int
    /// The seq of the first live event (everything before it comes from the log).
    public let liveFrom: UInt64
    /// Events after `afterSeq` that the log no longer holds (retention removed them): the
    /// subscription starts after them. Nil when nothing is missing.
    public let missed: ClosedRange<UInt64>?

    let buffer: SubscriptionBuffer
    let replay: Replay?

    /// Where the log part comes from.
    struct Replay: Sendable {
        var store: any CheckpointStore
        var instance: String
        /// The first page, read when the subscription was made.
        var firstPage: [WorkflowEvent]
        /// Replay after this seq...
        var afterSeq: UInt64
        /// ...up to (not including) this one, the first live event.
        var until: UInt64
    }

    static let pageSize = 256

    init(id: Int, liveFrom: UInt64, missed: ClosedRange<UInt64>?, buffer: SubscriptionBuffer, replay: Replay?) {
        self.id = id
        self.liveFrom = liveFrom
        self.missed = missed
        self.buffer = buffer
        self.replay = replay
    }

    /// A subscription that has already ended (a finished run's).
    static func finished() -> EventSubscription {
        let buffer = SubscriptionBuffer(limit: 1)
        buffer.finish()
        return EventSubscription(id: -1, liveFrom: 0, missed: nil, buffer: buffer, replay: nil)
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(buffer: buffer, replay: replay, liveFrom: liveFrom)
    }

    /// Reads the log part page by page, then the live part, handing out each seq once.
    public struct Iterator: AsyncIteratorProtocol {
        let buffer: SubscriptionBuffer
        var replay: Replay?
        var batch: [WorkflowEvent]
        var index = 0
        /// The last seq handed out.
        var cursor: UInt64

        init(buffer: SubscriptionBuffer, replay: Replay?, liveFrom: UInt64) {
            self.buffer = buffer
            self.replay = replay
            self.batch = replay?.firstPage ?? []
            // Without a replay everything before the first live event is already behind the
            // subscriber: an overflow before it reads must say so, or a new subscription after
            // the reported seq would get those events a second time.
            self.cursor = replay?.afterSeq ?? (liveFrom > 0 ? liveFrom - 1 : 0)
            // A first page that is not full, or reaches the live part, ends the replay at once.
            if let replay, batch.count < EventSubscription.pageSize || (batch.last?.seq ?? 0) + 1 >= replay.until {
                self.replay = nil
            }
        }

        public mutating func next() async throws -> WorkflowEvent? {
            while index == batch.count {
                if let current = replay {
                    let page = try await current.store.events(instance: current.instance, afterSeq: Swift.max(cursor, current.afterSeq),
                                                              limit: EventSubscription.pageSize)
                    let usable = page.filter { $0.seq < current.until }
                    if usable.count < page.count || page.count < EventSubscription.pageSize || usable.isEmpty { replay = nil }
                    batch = usable
                    index = 0
                    continue
                }
                do {
                    guard let next = try await buffer.next() else { return nil }
                    // A live-only event carries the seq of the logged one before it: it is not a repeat.
                    batch = next.filter { $0.seq > cursor || ($0.isLive && $0.seq >= cursor) }
                    index = 0
                } catch is SubscriptionBuffer.Overflowed {
                    throw SubscriptionOverflow(lastSeq: cursor, limit: buffer.limit)
                }
            }
            defer { index += 1 }
            cursor = batch[index].seq
            return batch[index]
        }
    }
}

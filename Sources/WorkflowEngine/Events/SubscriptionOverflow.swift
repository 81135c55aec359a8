/// A subscriber fell too far behind: its bounded buffer filled, so the subscription was dropped
/// (and only it: the instance and other subscribers go on). Subscribe again with
/// `afterSeq: lastSeq` to resume where it stopped; nothing is lost, the log has it.
public struct SubscriptionOverflow: Error, Sendable, Hashable, CustomStringConvertible {
    /// The seq of the last event the subscriber received (0 if none).
    public var lastSeq: UInt64
    /// How many events the buffer held.
    public var limit: Int

    /// Makes the error a dropped subscription ends with.
    public init(lastSeq: UInt64, limit: Int) {
        self.lastSeq = lastSeq
        self.limit = limit
    }

    public var description: String {
        "the subscriber fell more than \(limit) events behind and was dropped after seq \(lastSeq); subscribe again after it"
    }
}

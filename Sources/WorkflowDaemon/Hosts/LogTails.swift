import WorkflowConcurrency

/// The log tails of this host, by instance: an announcement that an instance's log grew wakes
/// those that read it. Bounded by the subscriptions the connections may hold.
final class LogTails: Sendable {
    private let tails = Locked<[String: [ObjectIdentifier: LogTail]]>([:])

    func add(_ tail: LogTail) {
        tails.withLock { $0[tail.instance, default: [:]][ObjectIdentifier(tail)] = tail }
    }

    func remove(_ tail: LogTail) {
        tails.withLock { tails in
            tails[tail.instance]?[ObjectIdentifier(tail)] = nil
            if tails[tail.instance]?.isEmpty == true { tails[tail.instance] = nil }
        }
    }

    /// Instance `name`'s log grew.
    func ring(_ name: String) {
        for tail in tails.withLock({ $0[name].map { Array($0.values) } ?? [] }) { tail.ring() }
    }

    var count: Int { tails.withLock { $0.values.reduce(0) { $0 + $1.count } } }
}

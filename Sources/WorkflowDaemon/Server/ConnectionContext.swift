import WorkflowConcurrency
import WorkflowJSON
import WorkflowEngine

/// One connection's state: who is there, where its messages go, and its subscriptions (which
/// end with it).
final class ConnectionContext: Sendable {
    /// A subscription of the connection's.
    enum Subscription: Sendable {
        /// To an instance loaded here: the engine's subscription, with the lease that keeps the instance loaded.
        case local(lease: InstanceLease, engineID: Int)
        /// To an instance another host owns: its log, read here.
        case log(LogTail)

        /// Ends it: its pump sees the end, says so if it must, and lets go.
        func end() async {
            switch self {
            case .local(let lease, let engineID): await lease.instance.unsubscribe(engineID)
            case .log(let tail): tail.end()
            }
        }
    }

    let id: Int
    let peer: Peer
    let writer: ConnectionWriter
    private let table = Locked<(next: Int, entries: [String: Subscription])>((0, [:]))

    init(id: Int, peer: Peer, writer: ConnectionWriter) {
        self.id = id
        self.peer = peer
        self.writer = writer
    }

    var subscriptionCount: Int { table.withLock { $0.entries.count } }

    /// A new subscription id, if the connection is under its limit.
    func reserveSubscription(limit: Int) -> String? {
        table.withLock { table in
            guard table.entries.count < limit else { return nil }
            table.next += 1
            return "s\(id)-\(table.next)"
        }
    }

    func register(_ id: String, _ subscription: Subscription) {
        table.withLock { $0.entries[id] = subscription }
    }

    /// Forgets a subscription; returns it if it was there (so exactly one party ends it).
    func remove(_ id: String) -> Subscription? {
        table.withLock { $0.entries.removeValue(forKey: id) }
    }

    /// Whether subscription `id` is still the connection's (not unsubscribed or ended).
    func holds(_ id: String) -> Bool {
        table.withLock { $0.entries[id] != nil }
    }

    func removeAll() -> [Subscription] {
        table.withLock { table in
            defer { table.entries = [:] }
            return Array(table.entries.values)
        }
    }
}

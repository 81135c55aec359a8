/// How the store keeps its database, passed in explicitly.
public struct StoreConfiguration: Sendable {
    /// How far a commit goes before it returns.
    public enum Durability: String, Sendable, CaseIterable {
        /// WAL with `synchronous=NORMAL`: a commit survives a crash of the process (the default).
        case normal
        /// WAL with `synchronous=FULL`: a commit also survives a power loss.
        case full
    }

    public var durability: Durability
    /// Checkpoints kept per instance (newest first); the lineage head, branch tips, labelled
    /// checkpoints and the newest this many with open requests are kept besides (docs/semantics.md §3.7
    /// keeps all with open requests; while a question waits every later checkpoint has it, so
    /// that would be unbounded).
    public var checkpointRetention: Int
    /// Events kept per instance in the log (newest first); nil keeps all.
    public var eventRetention: Int?
    /// Finished runs kept per instance (newest first; runs a live idempotency key names are kept).
    public var runRetention: Int
    /// Idempotency keys kept per instance (newest first)...
    public var idempotencyKeyLimit: Int
    /// ...and for at most this many seconds.
    public var idempotencyKeyLifetime: Double
    /// How long a commit waits for another connection that holds the database (seconds).
    public var busyTimeout: Double
    /// This host's id when several hosts share the database (PostgreSQL, DESIGN.md §12): each
    /// instance is then owned by one host, and a commit is refused to a host that no longer owns
    /// its instance. Nil: the store is the only one writing (SQLite; PostgreSQL with one host
    /// still names one).
    public var host: String?
    /// How long a host's heartbeat counts (seconds): after it, the host is dead and its
    /// instances may be claimed by the others.
    public var lease: Double
    /// With several hosts, how long a transaction of this host may sit idle before the server
    /// ends its connection: a host paused in the middle of a commit (SIGSTOP, a frozen VM) would
    /// otherwise keep its instances' ownership rows locked, and no other host could take them
    /// over however long ago its lease ran out (found by the SIGSTOP test). Three leases, at
    /// least 10 s: a busy host's own commits are never cut short. Nil: no limit.
    public var idleTransactionLimit: Duration?

    /// Retention runs at an instance's first run end after the store opens, then at every this
    /// many: an eighth of the smallest limit, between 1 and 16. Between two passes an instance
    /// may hold up to that many runs' worth above its limits.
    public var pruneInterval: Int {
        let smallest = min(checkpointRetention, eventRetention ?? .max, runRetention, idempotencyKeyLimit)
        return max(1, min(16, smallest / 8))
    }

    public init(durability: Durability = .normal, checkpointRetention: Int = 100, eventRetention: Int? = 100_000,
                runRetention: Int = 1000, idempotencyKeyLimit: Int = 1000, idempotencyKeyLifetime: Double = 86_400,
                busyTimeout: Double = 10, host: String? = nil, lease: Double = 3) {
        self.durability = durability
        self.checkpointRetention = checkpointRetention
        self.eventRetention = eventRetention
        self.runRetention = runRetention
        self.idempotencyKeyLimit = idempotencyKeyLimit
        self.idempotencyKeyLifetime = idempotencyKeyLifetime
        self.busyTimeout = busyTimeout
        self.host = host
        self.lease = lease
        idleTransactionLimit = host == nil ? nil : .milliseconds(Int64(max(lease * 3, 10) * 1000))
    }
}

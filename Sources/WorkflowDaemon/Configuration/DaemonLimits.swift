/// Every bound the daemon enforces, each configurable (`workflowd --help` lists them). A request
/// beyond one is answered with -32013 and `data` naming the limit.
public struct DaemonLimits: Sendable, Hashable {
    /// The longest line (one JSON-RPC message or batch) a client may send; a longer one is
    /// answered and the connection closed.
    public var maxLineBytes: Int = 1 << 20
    /// Messages in one batch.
    public var maxBatch: Int = 1000
    /// Connections at once, in all and per uid.
    public var maxConnections: Int = 1024
    public var maxConnectionsPerUID: Int = 256
    /// Requests one connection may have in progress at once (reading waits beyond it).
    public var maxRequestsPerConnection: Int = 64
    /// Subscriptions one connection may hold.
    public var maxSubscriptionsPerConnection: Int = 64
    /// Bytes waiting to be written to one connection; a subscription whose events would go beyond
    /// it is dropped with `events.overflow`.
    public var maxQueuedBytes: Int = 8 << 20
    /// Bytes waiting to be written to all connections together; beyond it, events for a
    /// connection that already has 16 KiB waiting are refused (its subscription overflows).
    public var maxQueuedBytesTotal: Int = 16 << 20
    /// Instances kept in memory; idle ones beyond it are evicted (they stay in the store).
    public var maxLoadedInstances: Int = 1024
    /// Requests open at once per instance; a run that would raise one more fails, saying to
    /// answer them or reset the instance.
    public var maxOpenRequests: Int = 1000
    /// Finished runs' results a loaded instance keeps in memory (besides those an idempotency
    /// key names); older ones are answered from the store.
    public var runResultsInMemory: Int = 8
    /// Events a subscription may have waiting inside the daemon before it overflows.
    public var maxBufferedEvents: Int = 10_000
    /// Events all subscriptions together may have waiting inside the daemon: beyond it, a
    /// subscription that is behind overflows (one whose client keeps up still gets every event).
    public var maxBufferedEventsTotal: Int = 50_000

    public init() {}
}

import Logging
import Tracing

/// How an instance behaves, passed in explicitly when it is created.
public struct InstanceConfiguration: Sendable {
    /// Where checkpoints and the event log go. Without a store the instance keeps no checkpoints
    /// (rewind and fork are unavailable) and events are only streamed live.
    public var store: (any CheckpointStore)?
    /// Reject (default) or queue a run asked for while another is active.
    public var onBusy: BusyPolicy
    /// Checks responses against their request's schema before they are accepted.
    public var responseValidator: (any ResponseValidator)?
    /// How many finished runs' results to keep for ``WorkflowInstance/result(of:)`` (besides the
    /// runs a live idempotency key refers to).
    public var runHistoryLimit: Int
    /// Idempotency keys kept at most (the oldest go first)...
    public var idempotencyKeyLimit: Int
    /// ...and for at most this many seconds.
    public var idempotencyKeyLifetime: Double
    /// Requests that may be open at once; a superstep raising one beyond it fails its run (the
    /// error says to answer them or reset).
    public var openRequestLimit: Int
    /// Waits that may be armed at once; a superstep arming one beyond it fails its run.
    public var waitLimit: Int
    /// Signals kept for waits that have not come yet; beyond it a signal is refused
    /// (`limitExceeded`, naming the bound).
    public var signalLimit: Int
    /// Where waits read the time (tests pass a ``ManualClock``).
    public var clock: any WorkflowClock
    /// Runs that may wait in the queue (onBusy `queue`); beyond it a start is refused as busy.
    public var queueLimit: Int
    /// Events a subscriber may have waiting before it is dropped with ``SubscriptionOverflow``.
    public var subscriptionBufferLimit: Int
    /// What the subscription buffers of every instance sharing it may hold together (a daemon
    /// passes one to all its instances); nil: only each buffer's own limit.
    public var subscriptionBudget: EventBudget?
    /// Subscriptions an instance holds at most; beyond it `subscribe` is refused.
    public var subscriptionLimit: Int
    /// Where the instance says what is worth knowing (store failures, recovery, discarded work).
    public var logger: Logger
    /// Told of every batch of events once committed (a daemon counts runs and supersteps).
    public var observer: (any InstanceObserver)?
    /// Where runs, supersteps, executors and messages get spans (swift-distributed-tracing's
    /// API), children of the span that started the run; nil, no span is made.
    public var tracer: (any Tracer)?

    /// Makes a configuration; every limit has a default a daemon would use.
    public init(store: (any CheckpointStore)? = nil, onBusy: BusyPolicy = .reject,
                responseValidator: (any ResponseValidator)? = nil, runHistoryLimit: Int = 64,
                idempotencyKeyLimit: Int = 1000, idempotencyKeyLifetime: Double = 86_400, queueLimit: Int = 1000, openRequestLimit: Int = 1000,
                waitLimit: Int = 1000, signalLimit: Int = 100, clock: any WorkflowClock = SystemClock(),
                subscriptionBufferLimit: Int = 10_000, subscriptionBudget: EventBudget? = nil, subscriptionLimit: Int = 1000,
                logger: Logger = Logger(label: "workflowd.engine", factory: { _ in SwiftLogNoOpLogHandler() }),
                observer: (any InstanceObserver)? = nil, tracer: (any Tracer)? = nil) {
        self.store = store
        self.onBusy = onBusy
        self.responseValidator = responseValidator
        self.runHistoryLimit = runHistoryLimit
        self.idempotencyKeyLimit = idempotencyKeyLimit
        self.idempotencyKeyLifetime = idempotencyKeyLifetime
        self.queueLimit = queueLimit
        self.openRequestLimit = max(1, openRequestLimit)
        self.waitLimit = max(1, waitLimit)
        self.signalLimit = max(0, signalLimit)
        self.clock = clock
        self.subscriptionBufferLimit = subscriptionBufferLimit
        self.subscriptionBudget = subscriptionBudget
        self.subscriptionLimit = subscriptionLimit
        self.logger = logger
        self.observer = observer
        self.tracer = tracer
    }
}

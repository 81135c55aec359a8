/// What a durable store kept of one instance, from which
/// ``WorkflowInstance/init(recovering:workflow:configuration:)`` rebuilds it after a restart or a
/// crash (docs/semantics.md §5): the lineage head, the last committed status, the next seq, responses
/// accepted but not yet delivered, the durable run queue, the idempotency keys, and the runs that
/// were in progress when the process stopped.
public struct InstanceRecovery: Sendable {
    /// A response that was accepted (and acknowledged) but not yet handed to its executor.
    public struct UndeliveredResponse: Sendable, Hashable {
        /// The request it answers.
        public var requestID: String
        /// The executor that raised the request (and gets the response).
        public var executor: String
        /// The response, as accepted.
        public var response: JSON
        /// The continuation run the response was promised to (its id was given to the caller)
        /// that never started, if it was.
        public var promisedRunID: String?

        /// Makes an undelivered response.
        public init(requestID: String, executor: String, response: JSON, promisedRunID: String? = nil) {
            self.requestID = requestID
            self.executor = executor
            self.response = response
            self.promisedRunID = promisedRunID
        }
    }

    /// The instance's name.
    public var name: String
    /// The lineage head's checkpoint (nil after a reset, or before the first run).
    public var head: Checkpoint?
    /// The status last committed.
    public var status: InstanceStatus
    /// The seq the next event must get (one past the last logged: never reused).
    public var nextSeq: UInt64
    /// Responses accepted but not yet handed to their executors, in the order they were accepted.
    public var undeliveredResponses: [UndeliveredResponse]
    /// Runs waiting in the durable queue, in order.
    public var queuedRuns: [StoreBatch.QueuedRun]
    /// The idempotency keys in force, oldest first.
    public var idempotencyKeys: [IdempotencyKey]
    /// Runs recorded as in progress, oldest first (at most one, unless the store was tampered with).
    public var interruptedRuns: [String]
    /// Finished runs that idempotency keys refer to, with their results as the store recorded
    /// them (so a key used again returns a run whose result can be read).
    public var finishedRuns: [RunResult]
    /// Where the instance was forked from, if it was.
    public var forkedFrom: String?
    /// The checkpoint of ``forkedFrom`` it was forked from.
    public var forkedFromCheckpoint: String?

    /// Makes what a store read back of an instance.
    public init(name: String, head: Checkpoint?, status: InstanceStatus, nextSeq: UInt64,
                undeliveredResponses: [UndeliveredResponse] = [], queuedRuns: [StoreBatch.QueuedRun] = [],
                idempotencyKeys: [IdempotencyKey] = [], interruptedRuns: [String] = [], finishedRuns: [RunResult] = [],
                forkedFrom: String? = nil, forkedFromCheckpoint: String? = nil) {
        self.name = name
        self.head = head
        self.status = status
        self.nextSeq = nextSeq
        self.undeliveredResponses = undeliveredResponses
        self.queuedRuns = queuedRuns
        self.idempotencyKeys = idempotencyKeys
        self.interruptedRuns = interruptedRuns
        self.finishedRuns = finishedRuns
        self.forkedFrom = forkedFrom
        self.forkedFromCheckpoint = forkedFromCheckpoint
    }
}

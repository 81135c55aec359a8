import WorkflowJSON

/// A run as the daemon describes it: its status (`queued`, `in_progress`, or how it ended), and
/// once it has ended its outputs, error and the requests left open.
public struct RunInfo: Codable, Sendable, Hashable {
    public var runId: String
    public var instance: String
    /// `queued`, `in_progress`, `idle`, `idle_with_pending_requests`, `failed` or `cancelled`.
    public var status: RunStatusValue
    /// What `run.start` did: `started`, `queued`, `existing` (the idempotency key's run).
    public var disposition: RunDisposition?
    /// Place in the queue (1 is next).
    public var position: Int?
    /// What started it: `input`, `response`, `rewind`, `recovery`, `timer`, `signal`, `retry`
    /// or `schedule`.
    public var trigger: RunTrigger?
    /// A schedule's run: which schedule, and the time it fired for.
    public var schedule: ScheduleFire?
    public var input: JSON?
    public var outputs: [JSON]?
    /// `{code, message, details?, cause?}` when the run failed or was cancelled.
    public var error: JSON?
    /// Ids of the requests open when it ended.
    public var pendingRequests: [String]?
    public var supersteps: Int?
    public var startedAt: String?
    public var endedAt: String?
    /// `run.wait` only: the wait ended before the run did.
    public var timedOut: Bool?

    /// The schedule and time a run was started for.
    public struct ScheduleFire: Codable, Sendable, Hashable {
        /// The schedule's name.
        public var name: String
        /// The time it fired for (RFC 3339), as in the run's idempotency key.
        public var scheduledFor: String

        /// Makes one.
        public init(name: String, scheduledFor: String) {
            self.name = name
            self.scheduledFor = scheduledFor
        }
    }

    public init(runId: String, instance: String, status: RunStatusValue) {
        self.runId = runId
        self.instance = instance
        self.status = status
    }

    /// Whether the run has ended.
    public var isFinished: Bool { status.isFinished }

    public static let schema: JSON = Schema.of(RunInfo.self, [
        "error": Schema.ref("WorkflowError"), "startedAt": Schema.time, "endedAt": Schema.time,
        "schedule": Schema.of(ScheduleFire.self, ["scheduledFor": Schema.time]),
    ])
}

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
    /// `input`, `response`, `rewind` or `recovery`.
    public var trigger: RunTrigger?
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

    public init(runId: String, instance: String, status: RunStatusValue) {
        self.runId = runId
        self.instance = instance
        self.status = status
    }

    /// Whether the run has ended.
    public var isFinished: Bool { status.isFinished }

    public static let schema: JSON = Schema.of(RunInfo.self, [
        "error": Schema.ref("WorkflowError"), "startedAt": Schema.time, "endedAt": Schema.time,
    ])
}

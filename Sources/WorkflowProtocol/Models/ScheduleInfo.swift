import WorkflowJSON

/// A schedule as the daemon describes it: its declaration, where it was declared and by whom,
/// whether it is paused, its next fire times and what its last fire did.
public struct ScheduleInfo: Codable, Sendable, Hashable {
    /// What one fire did.
    public struct Fire: Codable, Sendable, Hashable {
        /// The time it fired for (RFC 3339).
        public var scheduledFor: String
        /// When it fired (RFC 3339).
        public var firedAt: String
        /// `started`, `queued`, `existing` (the run for that time had started already),
        /// `skipped` (the instance was busy; overlap `skip`, or `allow` on a rejecting
        /// instance) or `failed`.
        public var outcome: String
        /// The run it started, queued or found.
        public var runId: String?
        /// Why it failed or was skipped.
        public var error: String?

        /// Makes one.
        public init(scheduledFor: String, firedAt: String, outcome: String, runId: String? = nil, error: String? = nil) {
            self.scheduledFor = scheduledFor
            self.firedAt = firedAt
            self.outcome = outcome
            self.runId = runId
            self.error = error
        }
    }

    /// Its name, daemon-wide.
    public var name: String
    /// The instance its runs start on.
    public var instance: String
    /// The definition the instance is created from when missing.
    public var definition: String?
    /// The cron expression, if it fires by one.
    public var cron: String?
    /// The interval (`15m`), if it fires by one.
    public var every: String?
    /// The zone its cron expression reads (`UTC` by default).
    public var timeZone: String?
    /// Each run's input.
    public var input: JSON?
    /// `skip`, `queue`, `cancelPrevious` or `allow`.
    public var overlap: String
    /// `none`, `latest` or `all`.
    public var catchUp: String
    /// How far back missed fires are caught up (`24h`).
    public var catchUpWindow: String
    /// The most a fire is delayed (`30s`), if any.
    public var jitter: String?
    /// Whether it is paused.
    public var paused: Bool
    /// `api`, or `file` when a definition file declares it.
    public var source: String
    /// The declaring file, for `file`.
    public var file: String?
    /// The uid that owns it (0 for a file's).
    public var owner: UInt32
    /// The next fire times (RFC 3339), soonest first; empty while paused.
    public var nextFires: [String]
    /// What the last fire did.
    public var lastFire: Fire?
    /// When it was created (RFC 3339).
    public var createdAt: String

    /// Makes a schedule's description.
    public init(name: String, instance: String, overlap: String, catchUp: String, catchUpWindow: String, paused: Bool, source: String,
                owner: UInt32, nextFires: [String], createdAt: String) {
        self.name = name
        self.instance = instance
        self.overlap = overlap
        self.catchUp = catchUp
        self.catchUpWindow = catchUpWindow
        self.paused = paused
        self.source = source
        self.owner = owner
        self.nextFires = nextFires
        self.createdAt = createdAt
    }

    /// The schema of a schedule's description.
    public static let schema: JSON = Schema.of(ScheduleInfo.self, [
        "overlap": Schema.oneOf(["skip", "queue", "cancelPrevious", "allow"]), "catchUp": Schema.oneOf(["none", "latest", "all"]),
        "source": Schema.oneOf(["api", "file"]), "nextFires": Schema.array(Schema.time), "createdAt": Schema.time,
        "lastFire": Schema.of(Fire.self, ["scheduledFor": Schema.time, "firedAt": Schema.time,
                                          "outcome": Schema.oneOf(["started", "queued", "existing", "skipped", "failed"])]),
    ])
}

import WorkflowJSON

/// `schedule.*`: named schedules that start runs on an instance at cron times or intervals
/// (DESIGN.md §10). Names are daemon-wide; a schedule belongs to the uid that created it (a
/// definition file's to root) and is seen and managed by it and by root.
public enum ScheduleMethods {
    /// `{name}` and nothing else.
    public struct Target: Codable, Sendable, Hashable {
        /// The schedule's name.
        public var name: String
        /// Makes one.
        public init(name: String) { self.name = name }
    }

    static let nameParam = RPCParam("name", "The schedule's name.")
    static let notFound: [RPCError.Code] = [.scheduleNotFound]

    /// `schedule.create`
    public enum Create: RPCMethod {
        public struct Params: Codable, Sendable, Hashable {
            public var name: String
            public var instance: String
            public var definition: String?
            public var cron: String?
            public var every: String?
            public var timeZone: String?
            public var input: JSON?
            public var overlap: String?
            public var catchUp: String?
            public var catchUpWindow: String?
            public var jitter: String?
            public var paused: Bool?
            public init(name: String, instance: String, definition: String? = nil, cron: String? = nil, every: String? = nil,
                        timeZone: String? = nil, input: JSON? = nil, overlap: String? = nil, catchUp: String? = nil,
                        catchUpWindow: String? = nil, jitter: String? = nil, paused: Bool? = nil) {
                self.name = name
                self.instance = instance
                self.definition = definition
                self.cron = cron
                self.every = every
                self.timeZone = timeZone
                self.input = input
                self.overlap = overlap
                self.catchUp = catchUp
                self.catchUpWindow = catchUpWindow
                self.jitter = jitter
                self.paused = paused
            }
        }
        public typealias Result = ScheduleInfo
        public static let name = "schedule.create"
        public static let summary = "Creates a schedule that starts runs on an instance at the times a cron expression names in a time zone, or every so often (counted from the epoch). Each fire's run has the idempotency key schedule:NAME:TIME, so a fire starts one run however often the daemon restarts. The caller's uid owns it; its runs start with the caller's rights."
        public static let params = [
            RPCParam("name", "The schedule's name (daemon-wide).", Schema.name),
            RPCParam("instance", "The instance its runs start on."),
            RPCParam("definition", "Create the instance from this definition when it does not exist."),
            RPCParam("cron", "Five fields (minute hour day-of-month month day-of-week) or @yearly, @monthly, @weekly, @daily, @hourly."),
            RPCParam("every", "An interval (30s, 15m, 2h, 1d) instead of cron."),
            RPCParam("timeZone", "The zone cron reads, from the system's zoneinfo (default UTC)."),
            RPCParam("input", "Each run's input."),
            RPCParam("overlap", "When the instance has a run: skip (default), queue, cancelPrevious, or allow (the instance's busy policy).",
                     Schema.oneOf(["skip", "queue", "cancelPrevious", "allow"])),
            RPCParam("catchUp", "Fires missed while the daemon was down or the schedule paused: none, latest (default), all.",
                     Schema.oneOf(["none", "latest", "all"])),
            RPCParam("catchUpWindow", "How far back missed fires count (default 24h)."),
            RPCParam("jitter", "Delay each fire by up to this much (its own share, the same after a restart)."),
            RPCParam("paused", "Create it paused."),
        ]
        public static let result = Schema.ref("ScheduleInfo")
        public static let errors: [RPCError.Code] = [.scheduleExists, .definitionNotFound, .storeFailed]
    }

    /// `schedule.list`
    public enum List: RPCMethod {
        public struct Params: Codable, Sendable, Hashable {
            public var after: String?
            public var limit: Int?
            public init(after: String? = nil, limit: Int? = nil) {
                self.after = after
                self.limit = limit
            }
        }
        public struct Result: Codable, Sendable, Hashable {
            public var schedules: [ScheduleInfo]
            /// Pass as `after` for the next page (absent on the last page).
            public var next: String?
            public init(schedules: [ScheduleInfo], next: String?) {
                self.schedules = schedules
                self.next = next
            }
        }
        public static let name = "schedule.list"
        public static let summary = "The schedules the caller may see (its own; root sees all), by name, a page at a time, each with its next fire times."
        public static let params = [RPCParam("after", "Names after this one (the previous page's next)."),
                                    RPCParam("limit", "At most this many (default 100, at most 1000).", ["type": "integer", "minimum": 1, "maximum": 1000])]
        public static let result = Schema.of(Result.self)
        public static let errors: [RPCError.Code] = []
    }

    /// `schedule.get`
    public enum Get: RPCMethod {
        public typealias Params = Target
        public typealias Result = ScheduleInfo
        public static let name = "schedule.get"
        public static let summary = "One schedule: its declaration, next fire times and what its last fire did."
        public static let params = [nameParam]
        public static let result = Schema.ref("ScheduleInfo")
        public static let errors = notFound
    }

    /// `schedule.pause`
    public enum Pause: RPCMethod {
        public typealias Params = Target
        public typealias Result = ScheduleInfo
        public static let name = "schedule.pause"
        public static let summary = "Pauses a schedule: it fires no more until resumed (runs already started go on)."
        public static let params = [nameParam]
        public static let result = Schema.ref("ScheduleInfo")
        public static let errors = notFound
    }

    /// `schedule.resume`
    public enum Resume: RPCMethod {
        public typealias Params = Target
        public typealias Result = ScheduleInfo
        public static let name = "schedule.resume"
        public static let summary = "Resumes a paused schedule from now: the fires the pause skipped are not run (schedule.backfill runs a past range)."
        public static let params = [nameParam]
        public static let result = Schema.ref("ScheduleInfo")
        public static let errors = notFound
    }

    /// `schedule.delete`
    public enum Delete: RPCMethod {
        public typealias Params = Target
        public struct Result: Codable, Sendable, Hashable {
            public var deleted: Bool
            public init(deleted: Bool) { self.deleted = deleted }
        }
        public static let name = "schedule.delete"
        public static let summary = "Deletes a schedule created through schedule.create (one a definition file declares goes with the file). Its runs stay."
        public static let params = [nameParam]
        public static let result = Schema.of(Result.self)
        public static let errors: [RPCError.Code] = [.scheduleNotFound, .permissionDenied]
    }

    /// `schedule.trigger`
    public enum Trigger: RPCMethod {
        public typealias Params = Target
        public typealias Result = ScheduleInfo.Fire
        public static let name = "schedule.trigger"
        public static let summary = "Fires a schedule now (paused or not), as a fire for the current second with its overlap policy."
        public static let params = [nameParam]
        public static let result = Schema.of(ScheduleInfo.Fire.self, ["scheduledFor": Schema.time, "firedAt": Schema.time])
        public static let errors = notFound
    }

    /// `schedule.backfill`
    public enum Backfill: RPCMethod {
        public struct Params: Codable, Sendable, Hashable {
            public var name: String
            public var from: String
            public var to: String
            public init(name: String, from: String, to: String) {
                self.name = name
                self.from = from
                self.to = to
            }
        }
        public struct Result: Codable, Sendable, Hashable {
            /// Each fire in the range, in order.
            public var fires: [ScheduleInfo.Fire]
            public init(fires: [ScheduleInfo.Fire]) { self.fires = fires }
        }
        public static let name = "schedule.backfill"
        public static let summary = "Fires a schedule for each of its times in a past range (at most 1000), in order, each run queued on the instance behind the others; a time that already has its run finds it (outcome existing) while the instance keeps its key."
        public static let params = [nameParam, RPCParam("from", "The range's start (RFC 3339), included.", Schema.time),
                                    RPCParam("to", "The range's end (RFC 3339), included; not in the future.", Schema.time)]
        public static let result = Schema.of(Result.self)
        public static let errors: [RPCError.Code] = [.scheduleNotFound, .limitExceeded]
    }
}

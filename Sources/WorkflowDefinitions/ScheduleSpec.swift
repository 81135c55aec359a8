import WorkflowCalendar
import WorkflowEngine

/// A schedule as declared (in a definition file's `schedules:` or through `schedule.create`),
/// checked: when it fires (a cron expression in a time zone, or an interval), which instance it
/// starts runs on, with what input, and what it does when the instance is busy or fires were
/// missed while the daemon was down. DESIGN.md §10.
public struct ScheduleSpec: Sendable, Hashable {
    /// What a fire does when the instance already has a run.
    public enum Overlap: String, Sendable, Hashable, CaseIterable {
        /// The fire is skipped (recorded as such).
        case skip
        /// The run waits in the instance's queue, whatever the instance's busy policy.
        case queue
        /// The active run is cancelled, and the fire's run starts after it.
        case cancelPrevious
        /// As the instance's busy policy says (`reject` refuses the fire, `queue` queues it).
        case allow
    }

    /// What happens to fires missed while the daemon was down (or the schedule paused).
    public enum CatchUp: String, Sendable, Hashable, CaseIterable {
        /// Missed fires are dropped; the schedule goes on from now.
        case none
        /// The latest missed fire within the window runs once.
        case latest
        /// Every missed fire within the window runs, in order (at most ``ScheduleSpec/catchUpLimit``).
        case all
    }

    /// The keys a schedule may have.
    public static let keys = ["name", "instance", "definition", "cron", "every", "timeZone", "input", "overlap", "catchUp",
                              "catchUpWindow", "jitter", "paused"]
    /// The most fires one catch-up or one backfill starts.
    public static let catchUpLimit = 1000

    /// The schedule's name, daemon-wide.
    public var name: String
    /// The instance its runs start on.
    public var instance: String
    /// The definition the instance is created from when it does not exist.
    public var definition: String?
    /// The cron expression, as written, if it is one.
    public var cron: String?
    /// The interval, as written (`15m`), if it is one.
    public var every: String?
    /// The time zone the cron expression reads (an IANA name; `UTC` by default).
    public var timeZone: String
    /// When it fires.
    public var cadence: Cadence
    /// The input of each run.
    public var input: JSON
    /// What a fire does when the instance is busy.
    public var overlap: Overlap
    /// What happens to missed fires.
    public var catchUp: CatchUp
    /// How far back missed fires are caught up, in seconds.
    public var catchUpWindow: Int
    /// The longest a fire is delayed past its time, in seconds (each fire by its own share of
    /// it, the same after a restart).
    public var jitter: Int
    /// Whether it is declared paused.
    public var paused: Bool

    /// The schedule's document as stored and shown: the keys it was given, in their forms.
    public let document: JSON

    /// Checks a schedule's declaration.
    /// - Parameters:
    ///   - value: The declaration, an object with the keys of ``keys``.
    ///   - definition: The definition declaring it (a file's), which it then may not name.
    ///   - zoneDirectory: Where the time zones are read.
    /// - Throws: ``ScheduleSpecError`` naming the key and what is wrong.
    public init(parsing value: JSON, definition declaring: String? = nil, zoneDirectory: String = ZoneInfo.systemDirectory) throws(ScheduleSpecError) {
        guard case .object(var object) = value else { throw ScheduleSpecError("", "a schedule must be an object, not \(value.typeName)") }
        for key in object.keys.sorted() where !Self.keys.contains(key) || (declaring != nil && key == "definition") {
            throw ScheduleSpecError(key, "unknown key '\(key)' (expected \(Self.keys.filter { declaring == nil || $0 != "definition" }.joined(separator: ", ")))")
        }
        func string(_ key: String) throws(ScheduleSpecError) -> String? {
            guard let value = object[key], value != .null else { return nil }
            guard case .string(let text) = value else { throw ScheduleSpecError(key, "must be a string, not \(value.typeName)") }
            return text
        }
        func duration(_ key: String, _ purpose: String, maximum: Int) throws(ScheduleSpecError) -> Int? {
            guard let text = try string(key) else { return nil }
            // Compared as a Double first: a huge duration must be refused, not trap in Int(_:).
            guard let seconds = parseDuration(text), seconds <= Double(maximum), seconds.rounded() == seconds else {
                throw ScheduleSpecError(key, "must be a whole number of seconds like 30s, 15m, 2h or 1d, at most \(maximum / 86_400)d (\(purpose)), not '\(text)'")
            }
            return Int(seconds)
        }
        guard let name = try string("name") else { throw ScheduleSpecError("name", "is required") }
        if let problem = Self.nameProblem(name) { throw ScheduleSpecError("name", problem) }
        guard let instance = try string("instance") else { throw ScheduleSpecError("instance", "is required (the instance the schedule starts runs on)") }
        if let problem = Definition.identifierProblem(instance) { throw ScheduleSpecError("instance", problem.replacing("executor id", with: "instance name")) }
        self.name = name
        self.instance = instance
        if let declaring { self.definition = declaring } else { self.definition = try string("definition") }
        cron = try string("cron")
        every = try string("every")
        timeZone = try string("timeZone") ?? "UTC"
        switch (cron, every) {
        case (let cron?, nil):
            let zone: ZoneInfo
            do throws(CalendarError) { zone = try ZoneInfo(named: timeZone, directory: zoneDirectory) } catch { throw ScheduleSpecError("timeZone", error.message) }
            do throws(CalendarError) { cadence = .cron(try CronExpression(cron), zone) } catch { throw ScheduleSpecError("cron", error.message) }
        case (nil, _?):
            guard object["timeZone"] == nil else { throw ScheduleSpecError("timeZone", "applies to a cron expression only; an interval is the same in every zone") }
            guard let seconds = try duration("every", "the interval between fires", maximum: 366 * 86_400), seconds >= 1 else {
                throw ScheduleSpecError("every", "must be at least 1s")
            }
            cadence = .every(seconds)
        case (_?, _?):
            throw ScheduleSpecError("every", "give cron or every, not both")
        case (nil, nil):
            throw ScheduleSpecError("cron", "give cron (a 5-field expression or @daily) or every (an interval such as 15m)")
        }
        input = object["input"] ?? .null
        func choice<Value: RawRepresentable & CaseIterable>(_ key: String, default fallback: Value) throws(ScheduleSpecError) -> Value
            where Value.RawValue == String {
            guard let text = try string(key) else { return fallback }
            guard let value = Value(rawValue: text) else {
                throw ScheduleSpecError(key, "'\(text)' is not one of \(Value.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return value
        }
        overlap = try choice("overlap", default: .skip)
        catchUp = try choice("catchUp", default: .latest)
        catchUpWindow = try duration("catchUpWindow", "how far back missed fires are caught up", maximum: 366 * 86_400) ?? 86_400
        jitter = try duration("jitter", "the most a fire is delayed", maximum: 86_400) ?? 0
        if let value = object["paused"], value != .null {
            guard case .bool(let flag) = value else { throw ScheduleSpecError("paused", "must be true or false, not \(value.typeName)") }
            paused = flag
        } else {
            paused = false
        }
        if declaring != nil { object["definition"] = nil }
        document = .object(object)
    }

    /// Why `name` cannot name a schedule, or nil: 1 to 128 letters, digits, `_`, `-`, `.`, not
    /// starting with `-` or `.` (it is part of each fire's idempotency key, with `:` around it).
    /// - Parameter name: A proposed name.
    public static func nameProblem(_ name: String) -> String? {
        let valid = !name.isEmpty && name.count <= 128 && !name.hasPrefix("-") && !name.hasPrefix(".")
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_-.".contains($0)) }
        return valid ? nil : "'\(name.prefix(40))' is not a valid schedule name (1 to 128 letters, digits, '_', '-', '.'; not starting with '-' or '.')"
    }

    /// The idempotency key of the fire for `scheduledFor`: `schedule:NAME:TIME`, TIME in RFC 3339.
    /// - Parameter scheduledFor: The fire's time (seconds since 1970).
    public func idempotencyKey(for scheduledFor: Double) -> String {
        "schedule:\(name):\(Timestamp.format(scheduledFor))"
    }

    /// Which share of the jitter the fire for `scheduledFor` waits, in seconds: the same for the
    /// same fire, spread over `0..<jitter` (FNV-1a of the key).
    /// - Parameter scheduledFor: The fire's time.
    public func delay(for scheduledFor: Int) -> Double {
        guard jitter > 0 else { return 0 }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in idempotencyKey(for: Double(scheduledFor)).utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return Double(hash % UInt64(jitter * 1000)) / 1000
    }
}

/// Why a schedule's declaration was refused: the key and what is wrong.
public struct ScheduleSpecError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The key concerned (empty for the whole declaration).
    public var key: String
    /// What is wrong.
    public var message: String

    /// Makes an error.
    /// - Parameters:
    ///   - key: The key concerned.
    ///   - message: What is wrong.
    public init(_ key: String, _ message: String) {
        self.key = key
        self.message = message
    }

    /// `KEY MESSAGE`.
    public var description: String { key.isEmpty ? message : "\(key) \(message)" }
}

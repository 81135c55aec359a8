/// A cron expression of five fields (minute, hour, day of month, month, day of week), as
/// crontab(5) reads them: `*`, numbers, ranges `a-b`, steps `*/n` and `a-b/n`, lists with commas,
/// month and weekday names (`jan`, `mon`), 7 as Sunday, and the names `@yearly`, `@annually`,
/// `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`. When both day fields are restricted,
/// a day matches either (cron's rule).
///
/// In a time zone with daylight-saving time, ``next(after:in:)`` follows cron's practice: a time
/// the clocks jump over fires at the jump (once), and a time that occurs twice fires once, at
/// its first occurrence, unless the hour field is `*` (or steps over every hour), in which case
/// it fires in both hours, so an every-five-minutes schedule keeps its pace.
public struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    /// The expression as written.
    public let source: String
    private let minutes: UInt64
    private let hours: UInt64
    private let daysOfMonth: UInt64
    private let months: UInt64
    private let weekdays: UInt64
    private let daysOfMonthRestricted: Bool
    private let weekdaysRestricted: Bool
    private let everyHour: Bool

    /// The furthest ahead ``next(after:in:)`` looks (an expression such as `0 0 31 2 *` never fires).
    static let searchYears = 8

    /// Reads a cron expression.
    /// - Parameter source: Five fields separated by spaces, or a name such as `@hourly`.
    /// - Throws: ``CalendarError`` with code `invalidCron`, naming the field that is wrong.
    public init(_ source: String) throws(CalendarError) {
        self.source = source
        let trimmed = source.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        var fields = trimmed
        if trimmed.count == 1, let name = trimmed.first, name.hasPrefix("@") {
            switch name.lowercased() {
            case "@yearly", "@annually": fields = ["0", "0", "1", "1", "*"]
            case "@monthly": fields = ["0", "0", "1", "*", "*"]
            case "@weekly": fields = ["0", "0", "*", "*", "0"]
            case "@daily", "@midnight": fields = ["0", "0", "*", "*", "*"]
            case "@hourly": fields = ["0", "*", "*", "*", "*"]
            default:
                throw CalendarError(.invalidCron, "unknown cron name '\(name)' (known: @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly)")
            }
        }
        guard fields.count == 5 else {
            throw CalendarError(.invalidCron, "the cron expression '\(source)' has \(fields.count) fields; it needs 5 (minute hour day-of-month month day-of-week) or a name such as @daily")
        }
        minutes = try Self.field(fields[0], name: "minute", range: 0...59, names: [])
        hours = try Self.field(fields[1], name: "hour", range: 0...23, names: [])
        daysOfMonth = try Self.field(fields[2], name: "day of month", range: 1...31, names: [])
        months = try Self.field(fields[3], name: "month", range: 1...12,
                                names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], firstName: 1)
        var days = try Self.field(fields[4], name: "day of week", range: 0...7, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"])
        if days & (1 << 7) != 0 { days = (days | 1) & ~(1 << 7) }
        weekdays = days
        daysOfMonthRestricted = !fields[2].hasPrefix("*")
        weekdaysRestricted = !fields[4].hasPrefix("*")
        everyHour = hours == (1 << 24) - 1
        guard next(after: 0, in: .utc) != nil || next(after: 86_400 * 366 * 4, in: .utc) != nil else {
            throw CalendarError(.invalidCron, "the cron expression '\(source)' never fires (no such day)")
        }
    }

    /// The expression as written.
    public var description: String { source }

    /// Whether the expression matches a wall-clock day and time (seconds ignored).
    /// - Parameter civil: A wall-clock time.
    public func matches(_ civil: CivilTime) -> Bool {
        matchesDay(civil.year, civil.month, civil.day) && hours & (1 << civil.hour) != 0 && minutes & (1 << civil.minute) != 0
    }

    /// The first instant after `time` (seconds since 1970, UTC) at which the expression fires in
    /// `zone`, or nil if it fires in none of the next eight years.
    /// - Parameters:
    ///   - time: Seconds since 1970-01-01T00:00:00Z; the result is strictly later.
    ///   - zone: The zone whose wall clock the fields read.
    public func next(after time: Int, in zone: ZoneInfo) -> Int? {
        // Start at the wall-clock minute of `time` in each offset it may have been read with:
        // after clocks are set back, the wall clock passes the same minutes again.
        let start = zone.civil(at: time - 3 * 3600)
        var day = CivilTime.days(year: start.year, month: start.month, day: start.day)
        let lastDay = day + Self.searchYears * 366
        var best: (instant: Int, wall: Int)?
        while day <= lastDay {
            let (year, month, dayOfMonth) = CivilTime.civil(fromDays: day)
            defer { day += 1 }
            guard months & (1 << month) != 0 else {
                // Skip to the first day of the next month.
                let first = CivilTime.days(year: month == 12 ? year + 1 : year, month: month == 12 ? 1 : month + 1, day: 1)
                day = first - 1
                continue
            }
            guard matchesDay(year, month, dayOfMonth) else { continue }
            for hour in 0..<24 where hours & (1 << hour) != 0 {
                for minute in 0..<60 where minutes & (1 << minute) != 0 {
                    let civil = CivilTime(year: year, month: month, day: dayOfMonth, hour: hour, minute: minute)
                    // Wall order is instant order except where clocks go back: look three hours
                    // of wall time past the first candidate, and take the earliest.
                    if let best, civil.wallSeconds > best.wall + 3 * 3600 { return best.instant }
                    let instants = zone.instants(of: civil)
                    var candidates = everyHour ? instants : Array(instants.prefix(1))
                    if instants.isEmpty, let jump = zone.instantAfterGap(civil) { candidates = [jump] }
                    for instant in candidates where instant > time && instant < (best?.instant ?? .max) {
                        best = (instant, civil.wallSeconds)
                    }
                }
            }
        }
        return best?.instant
    }

    private func matchesDay(_ year: Int, _ month: Int, _ day: Int) -> Bool {
        guard months & (1 << month) != 0 else { return false }
        let weekday = CivilTime.weekday(ofDay: CivilTime.days(year: year, month: month, day: day))
        let dayOfMonth = daysOfMonth & (1 << day) != 0
        let dayOfWeek = weekdays & (1 << weekday) != 0
        if daysOfMonthRestricted && weekdaysRestricted { return dayOfMonth || dayOfWeek }
        return dayOfMonth && dayOfWeek
    }

    /// One field as a bit set of the values it allows.
    private static func field(_ text: String, name: String, range: ClosedRange<Int>, names: [String], firstName: Int = 0) throws(CalendarError) -> UInt64 {
        func failure(_ what: String) -> CalendarError {
            CalendarError(.invalidCron, "the \(name) field '\(text)' is not valid: \(what)")
        }
        func value(_ token: Substring) throws(CalendarError) -> Int {
            if let number = Int(token) {
                guard range.contains(number) else { throw failure("\(number) is outside \(range.lowerBound)–\(range.upperBound)") }
                return number
            }
            if let index = names.firstIndex(of: token.lowercased()) { return index + firstName }
            throw failure("'\(token)' is not a number\(names.isEmpty ? "" : " or a name such as \(names[0])")")
        }
        var bits: UInt64 = 0
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard !part.isEmpty else { throw failure("an empty list item") }
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2 else { throw failure("more than one '/'") }
            var step = 1
            if pieces.count == 2 {
                guard let parsed = Int(pieces[1]), parsed > 0 else { throw failure("the step '\(pieces[1])' is not a positive number") }
                step = parsed
            }
            let base = pieces[0]
            var low: Int, high: Int
            if base == "*" {
                (low, high) = (range.lowerBound, range.upperBound)
            } else if let dash = base.firstIndex(of: "-") {
                low = try value(base[..<dash])
                high = try value(base[base.index(after: dash)...])
                guard low <= high else { throw failure("the range \(low)-\(high) runs backwards") }
            } else {
                low = try value(base)
                // `a/n` means from a to the end, stepping n.
                high = pieces.count == 2 ? range.upperBound : low
            }
            for value in stride(from: low, through: high, by: step) { bits |= 1 << UInt64(value) }
        }
        return bits
    }
}

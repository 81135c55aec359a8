/// The rule a POSIX `TZ` string gives (`CET-1CEST,M3.5.0,M10.5.0/3`): a standard offset and,
/// optionally, a daylight-saving offset with the two yearly changes. A zoneinfo file (version 2
/// and later) ends with one, and it governs every time after the file's last transition.
public struct PosixZoneRule: Sendable, Hashable {
    /// When in a year a change happens: the date rule and the local time of day (in the offset
    /// in force before the change).
    public struct Change: Sendable, Hashable {
        /// Which day of the year.
        public enum Day: Sendable, Hashable {
            /// `Jn`: day n of 1…365, 29 February never counted.
            case julianNoLeap(Int)
            /// `n`: day n of 0…365, 29 February counted.
            case zeroBased(Int)
            /// `Mm.w.d`: weekday d (0 = Sunday) of week w (1…5, 5 = the last) of month m.
            case monthWeek(month: Int, week: Int, weekday: Int)
        }

        /// Which day.
        public var day: Day
        /// Seconds after that day's local midnight (may be negative or past a day, as RFC 8536
        /// allows).
        public var time: Int

        /// The wall-clock seconds (since 1970 on that zone's clock) the change happens at in `year`.
        func wallSeconds(in year: Int) -> Int {
            let days: Int
            switch day {
            case .julianNoLeap(let n):
                let leapShift = CivilTime.isLeap(year) && n >= 60 ? 1 : 0
                days = CivilTime.days(year: year, month: 1, day: 1) + n - 1 + leapShift
            case .zeroBased(let n):
                days = CivilTime.days(year: year, month: 1, day: 1) + n
            case .monthWeek(let month, let week, let weekday):
                let first = CivilTime.days(year: year, month: month, day: 1)
                var day = first + (weekday - CivilTime.weekday(ofDay: first)).floorModulo(7) + (week - 1) * 7
                let last = first + CivilTime.daysIn(month: month, year: year) - 1
                while day > last { day -= 7 }
                days = day
            }
            return days * 86_400 + time
        }
    }

    /// Seconds east of UTC in standard time.
    public var standardOffset: Int
    /// Seconds east of UTC in daylight-saving time, if the zone has it.
    public var daylightOffset: Int?
    /// When daylight-saving time starts and ends each year (with ``daylightOffset``).
    public var changes: (start: Change, end: Change)? {
        guard let start, let end else { return nil }
        return (start, end)
    }

    private var start: Change?
    private var end: Change?

    /// Reads a POSIX `TZ` string.
    /// - Parameter text: The string, for example `EST5EDT,M3.2.0,M11.1.0`.
    /// - Throws: ``CalendarError`` naming what does not parse.
    public init(parsing text: String) throws(CalendarError) {
        var reader = Reader(text: Array(text.utf8), source: text)
        try reader.name()
        standardOffset = -(try reader.offset())
        if reader.atEnd { return }
        try reader.name()
        daylightOffset = standardOffset + 3600
        if let next = reader.peek, next != UInt8(ascii: ",") {
            daylightOffset = -(try reader.offset())
        }
        if reader.atEnd {
            // No rule given: POSIX leaves it to the implementation; the US rules are what glibc uses.
            start = Change(day: .monthWeek(month: 3, week: 2, weekday: 0), time: 7200)
            end = Change(day: .monthWeek(month: 11, week: 1, weekday: 0), time: 7200)
            return
        }
        try reader.expect(",")
        start = try reader.change()
        try reader.expect(",")
        end = try reader.change()
        guard reader.atEnd else { throw reader.failure("unexpected text after the rule") }
    }

    /// Seconds east of UTC at Unix time `time`.
    /// - Parameter time: Seconds since 1970-01-01T00:00:00Z.
    public func offset(at time: Int) -> Int {
        guard let daylightOffset, let start, let end else { return standardOffset }
        let year = CivilTime(wallSeconds: time + standardOffset).year
        // A change happens at a local time read in the offset in force before it.
        let starts = start.wallSeconds(in: year) - standardOffset
        let ends = end.wallSeconds(in: year) - daylightOffset
        if starts < ends {
            return time >= starts && time < ends ? daylightOffset : standardOffset
        }
        // The southern hemisphere: daylight time spans the new year.
        return time >= ends && time < starts ? standardOffset : daylightOffset
    }

    /// Reads the parts of a `TZ` string.
    private struct Reader {
        let text: [UInt8]
        let source: String
        var index = 0

        var atEnd: Bool { index >= text.count }
        var peek: UInt8? { atEnd ? nil : text[index] }

        func failure(_ what: String) -> CalendarError {
            CalendarError(.invalidZone, "the zone rule '\(source)' does not parse: \(what) (at character \(index + 1))")
        }

        mutating func expect(_ character: Character) throws(CalendarError) {
            guard peek == character.asciiValue else { throw failure("expected '\(character)'") }
            index += 1
        }

        /// A zone abbreviation: three or more letters, or anything between `<` and `>`.
        mutating func name() throws(CalendarError) {
            if peek == UInt8(ascii: "<") {
                guard let close = text[index...].firstIndex(of: UInt8(ascii: ">")) else { throw failure("an unclosed '<'") }
                index = close + 1
                return
            }
            let begin = index
            while let byte = peek, (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) { index += 1 }
            guard index - begin >= 3 else { throw failure("a zone abbreviation of at least three letters") }
        }

        mutating func number() throws(CalendarError) -> Int {
            let begin = index
            var value = 0
            while let byte = peek, byte >= 48 && byte <= 57 {
                value = value * 10 + Int(byte - 48)
                index += 1
                guard index - begin <= 4 else { throw failure("a number too long") }
            }
            guard index > begin else { throw failure("a number") }
            return value
        }

        /// `[+|-]hh[:mm[:ss]]` in seconds, as written (POSIX offsets are west-positive).
        mutating func offset() throws(CalendarError) -> Int {
            var sign = 1
            if peek == UInt8(ascii: "+") { index += 1 } else if peek == UInt8(ascii: "-") { sign = -1; index += 1 }
            var seconds = try number() * 3600
            if peek == UInt8(ascii: ":") {
                index += 1
                seconds += try number() * 60
                if peek == UInt8(ascii: ":") {
                    index += 1
                    seconds += try number()
                }
            }
            guard seconds <= 167 * 3600 else { throw failure("an offset beyond 167 hours") }
            return sign * seconds
        }

        mutating func change() throws(CalendarError) -> Change {
            let day: Change.Day
            if peek == UInt8(ascii: "J") {
                index += 1
                let n = try number()
                guard (1...365).contains(n) else { throw failure("a Julian day in 1…365") }
                day = .julianNoLeap(n)
            } else if peek == UInt8(ascii: "M") {
                index += 1
                let month = try number()
                try expect(".")
                let week = try number()
                try expect(".")
                let weekday = try number()
                guard (1...12).contains(month), (1...5).contains(week), (0...6).contains(weekday) else {
                    throw failure("a month rule Mm.w.d with m in 1…12, w in 1…5, d in 0…6")
                }
                day = .monthWeek(month: month, week: week, weekday: weekday)
            } else {
                let n = try number()
                guard (0...365).contains(n) else { throw failure("a day in 0…365") }
                day = .zeroBased(n)
            }
            var time = 7200
            if peek == UInt8(ascii: "/") {
                index += 1
                time = try offset()
            }
            return Change(day: day, time: time)
        }
    }
}

/// A wall-clock time without a zone (year, month, day, hour, minute, second), and the day
/// arithmetic of the proleptic Gregorian calendar that cron and time zone rules need. Days are
/// counted from 1970-01-01 (day 0), by Howard Hinnant's algorithms, exact for any year here.
public struct CivilTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The year.
    public var year: Int
    /// The month, 1–12.
    public var month: Int
    /// The day of the month, 1–31.
    public var day: Int
    /// The hour, 0–23.
    public var hour: Int
    /// The minute, 0–59.
    public var minute: Int
    /// The second, 0–59.
    public var second: Int

    /// Makes a civil time.
    /// - Parameters:
    ///   - year: The year.
    ///   - month: The month, 1–12.
    ///   - day: The day of the month.
    ///   - hour: The hour, 0–23.
    ///   - minute: The minute, 0–59.
    ///   - second: The second, 0–59.
    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    /// The civil time `seconds` after 1970-01-01T00:00:00 (a Unix time read on a clock that
    /// shows that zone's wall time, when an offset was added).
    /// - Parameter seconds: Seconds since 1970-01-01T00:00:00 on the wall clock.
    public init(wallSeconds seconds: Int) {
        let days = seconds.floorDivided(by: 86_400)
        let inDay = seconds - days * 86_400
        let (year, month, day) = Self.civil(fromDays: days)
        self.init(year: year, month: month, day: day, hour: inDay / 3600, minute: inDay % 3600 / 60, second: inDay % 60)
    }

    /// Seconds since 1970-01-01T00:00:00 on the wall clock.
    public var wallSeconds: Int {
        Self.days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second
    }

    /// The day of the week, 0 (Sunday) to 6 (Saturday).
    public var weekday: Int { Self.weekday(ofDay: Self.days(year: year, month: month, day: day)) }

    /// `YYYY-MM-DDTHH:MM:SS`.
    public var description: String {
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))"
    }

    /// Ordered as on a wall clock.
    /// - Parameters:
    ///   - lhs: A civil time.
    ///   - rhs: Another.
    public static func < (lhs: CivilTime, rhs: CivilTime) -> Bool { lhs.wallSeconds < rhs.wallSeconds }

    // MARK: Day arithmetic

    /// Days from 1970-01-01 to the given date.
    /// - Parameters:
    ///   - year: The year.
    ///   - month: The month, 1–12.
    ///   - day: The day of the month.
    public static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = y.floorDivided(by: 400)
        let yearOfEra = y - era * 400
        let monthIndex = (month + 9) % 12
        let dayOfYear = (153 * monthIndex + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date `days` after 1970-01-01.
    /// - Parameter days: Days since 1970-01-01.
    public static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = z.floorDivided(by: 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// The day of the week of day `days` since 1970-01-01 (a Thursday), 0 = Sunday.
    /// - Parameter days: Days since 1970-01-01.
    public static func weekday(ofDay days: Int) -> Int {
        (days + 4).floorModulo(7)
    }

    /// Whether `year` has a 29 February.
    /// - Parameter year: The year.
    public static func isLeap(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    /// How many days month `month` of `year` has.
    /// - Parameters:
    ///   - month: The month, 1–12.
    ///   - year: The year.
    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

extension Int {
    /// Division rounding towards negative infinity.
    func floorDivided(by divisor: Int) -> Int {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }

    /// The remainder of ``floorDivided(by:)``, never negative for a positive divisor.
    func floorModulo(_ divisor: Int) -> Int {
        self - floorDivided(by: divisor) * divisor
    }
}

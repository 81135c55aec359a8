import Testing
@testable import WorkflowCalendar

@Suite("Cron expressions and cadences")
struct CronExpressionTests {
    static func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0) -> Int {
        CivilTime(year: year, month: month, day: day, hour: hour, minute: minute).wallSeconds
    }

    @Test("fields, ranges, steps, lists and names give the times crontab(5) gives")
    func fieldsParse() throws {
        let quarter = try CronExpression("*/15 * * * *")
        #expect(quarter.next(after: Self.utc(2026, 1, 1, 10, 7), in: .utc) == Self.utc(2026, 1, 1, 10, 15))
        #expect(quarter.next(after: Self.utc(2026, 1, 1, 10, 15), in: .utc) == Self.utc(2026, 1, 1, 10, 30))
        let weekdays = try CronExpression("30 9 * * mon-fri")
        // 2026-01-03 is a Saturday: the next is Monday the 5th.
        #expect(weekdays.next(after: Self.utc(2026, 1, 2, 10), in: .utc) == Self.utc(2026, 1, 5, 9, 30))
        let list = try CronExpression("0 8,12-14/2 * jan,JUL *")
        #expect(list.next(after: Self.utc(2026, 1, 31, 13), in: .utc) == Self.utc(2026, 1, 31, 14))
        #expect(list.next(after: Self.utc(2026, 1, 31, 14), in: .utc) == Self.utc(2026, 7, 1, 8))
        #expect(try CronExpression("@hourly").next(after: Self.utc(2026, 5, 5, 5, 5), in: .utc) == Self.utc(2026, 5, 5, 6))
        #expect(try CronExpression("@weekly").next(after: Self.utc(2026, 1, 1), in: .utc) == Self.utc(2026, 1, 4))
        #expect(try CronExpression("0 0 * * 7").next(after: Self.utc(2026, 1, 1), in: .utc) == Self.utc(2026, 1, 4))
        // Both day fields restricted: either matches (the 13th, or any Friday).
        let either = try CronExpression("0 0 13 * 5")
        #expect(either.next(after: Self.utc(2026, 2, 1), in: .utc) == Self.utc(2026, 2, 6))
        #expect(either.next(after: Self.utc(2026, 2, 10), in: .utc) == Self.utc(2026, 2, 13))
        #expect(try CronExpression("0 0 29 2 *").next(after: Self.utc(2026, 3, 1), in: .utc) == Self.utc(2028, 2, 29))
    }

    @Test("a wrong expression is refused naming the field and the problem", arguments: [
        ("* * * *", "has 4 fields"), ("60 * * * *", "minute field '60'"), ("* 24 * * *", "hour field"),
        ("* * 0 * *", "day of month field"), ("* * * foo *", "'foo' is not a number or a name such as jan"),
        ("*/0 * * * *", "step '0'"), ("5-1 * * * *", "runs backwards"), ("@reboot", "unknown cron name '@reboot'"),
        ("0 0 31 2 *", "never fires"), ("1,,2 * * * *", "empty list item"),
    ])
    func errorsNameTheField(expression: String, message: String) {
        let error = #expect(throws: CalendarError.self) { try CronExpression(expression) }
        #expect(error?.code == .invalidCron)
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "no error")")
    }

    @Test("across daylight-saving changes: a skipped time fires at the jump, a repeated one once, an hourly step keeps its pace")
    func daylightSaving() throws {
        let paris = try ZoneInfo(named: "Europe/Paris")
        let halfPastTwo = try CronExpression("30 2 * * *")
        // 2026-03-29: 02:00 CET became 03:00 CEST at 01:00 UTC; 02:30 did not exist.
        #expect(halfPastTwo.next(after: Self.utc(2026, 3, 28, 12), in: paris) == Self.utc(2026, 3, 29, 1))
        #expect(halfPastTwo.next(after: Self.utc(2026, 3, 29, 1), in: paris) == Self.utc(2026, 3, 30, 0, 30))
        // 2026-10-25: 03:00 CEST became 02:00 CET at 01:00 UTC; 02:30 happened twice, fires once.
        let first = halfPastTwo.next(after: Self.utc(2026, 10, 24, 12), in: paris)
        #expect(first == Self.utc(2026, 10, 25, 0, 30))
        #expect(halfPastTwo.next(after: first!, in: paris) == Self.utc(2026, 10, 26, 1, 30))
        let halfHourly = try CronExpression("*/30 * * * *")
        let night = Cadence.cron(halfHourly, paris).fires(in: Self.utc(2026, 10, 24, 23, 45)...Self.utc(2026, 10, 25, 2), limit: 10)
        #expect(night == [Self.utc(2026, 10, 25, 0), Self.utc(2026, 10, 25, 0, 30), Self.utc(2026, 10, 25, 1),
                          Self.utc(2026, 10, 25, 1, 30), Self.utc(2026, 10, 25, 2)])
        let newYork = try ZoneInfo(named: "America/New_York")
        // 2026-03-08: 02:00 EST became 03:00 EDT at 07:00 UTC.
        #expect(try CronExpression("0 2 * * *").next(after: Self.utc(2026, 3, 7, 12), in: newYork) == Self.utc(2026, 3, 8, 7))
        #expect(try CronExpression("0 9 * * *").next(after: Self.utc(2026, 3, 8, 12), in: newYork) == Self.utc(2026, 3, 8, 13))
    }

    @Test("an interval counts from the epoch; fires lists a range in order, bounded")
    func everyCountsFromTheEpoch() {
        let quarter = Cadence.every(900)
        #expect(quarter.next(after: Self.utc(2026, 1, 1, 10, 7)) == Self.utc(2026, 1, 1, 10, 15))
        #expect(quarter.next(after: Self.utc(2026, 1, 1, 10, 15)) == Self.utc(2026, 1, 1, 10, 30))
        #expect(quarter.fires(in: Self.utc(2026, 1, 1, 10)...Self.utc(2026, 1, 1, 11), limit: 100).count == 5)
        #expect(quarter.fires(in: Self.utc(2026, 1, 1, 10)...Self.utc(2026, 1, 1, 11), limit: 3).count == 3)
        // The last ones of a long range, by arithmetic for an interval, by walking for cron.
        let second = Cadence.every(1)
        let year = Self.utc(2026, 1, 1)...Self.utc(2027, 1, 1)
        #expect(second.lastFires(in: year, limit: 3) == [Self.utc(2027, 1, 1) - 2, Self.utc(2027, 1, 1) - 1, Self.utc(2027, 1, 1)])
        #expect(quarter.lastFires(in: Self.utc(2026, 1, 1, 10, 1)...Self.utc(2026, 1, 1, 10, 14), limit: 5) == [])
        let hourly = Cadence.cron(try! CronExpression("@hourly"), .utc)
        #expect(hourly.lastFires(in: Self.utc(2026, 1, 1)...Self.utc(2026, 1, 3, 0, 30), limit: 2) == [Self.utc(2026, 1, 2, 23), Self.utc(2026, 1, 3)])
        #expect(hourly.lastFires(in: year, limit: 1000).count == 1000)
    }

    @Test("civil days round-trip and know their weekdays")
    func civilDays() {
        for days in stride(from: -800_000, through: 800_000, by: 997) {
            let (year, month, day) = CivilTime.civil(fromDays: days)
            #expect(CivilTime.days(year: year, month: month, day: day) == days)
        }
        #expect(CivilTime(year: 2026, month: 12, day: 5).weekday == 6)
        #expect(CivilTime(wallSeconds: 1_796_435_750).description == "2026-12-05T01:55:50")
    }
}

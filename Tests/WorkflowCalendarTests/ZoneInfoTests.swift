import Glibc
import Testing
@testable import WorkflowCalendar

@Suite("Time zones from the system's zoneinfo")
struct ZoneInfoTests {
    /// What zdump(8), glibc's own reader, says the offset is around every transition of `zone`
    /// in `years`, as (instant, offset) pairs.
    static func zdump(_ zone: String, years: String) throws -> [(Int, Int)] {
        guard let pipe = popen("zdump -v -c \(years) \(zone)", "r") else { throw CalendarError(.invalidZone, "zdump did not start") }
        defer { pclose(pipe) }
        var pairs: [(Int, Int)] = []
        var line = [CChar](repeating: 0, count: 512)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        while fgets(&line, Int32(line.count), pipe) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            // Europe/Paris  Sun Mar 29 01:00:00 2026 UT = Sun Mar 29 03:00:00 2026 CEST isdst=1 gmtoff=7200
            let words = text.split(separator: " ")
            guard words.count >= 8, words[6] == "UT", let offsetWord = words.last(where: { $0.hasPrefix("gmtoff=") }),
                  let month = months.firstIndex(of: String(words[2])), let day = Int(words[3]), let year = Int(words[5]),
                  let offset = Int(offsetWord.dropFirst(7).trimmingPrefix(while: { $0 == " " }).filter { $0 != "\n" }) else { continue }
            let clock = words[4].split(separator: ":").compactMap { Int($0) }
            let instant = CivilTime(year: year, month: month + 1, day: day, hour: clock[0], minute: clock[1], second: clock[2]).wallSeconds
            pairs.append((instant, offset))
        }
        return pairs
    }

    @Test("offsets agree with zdump at every transition, past the file's table too", arguments: [
        "Europe/Paris", "America/New_York", "Australia/Sydney", "America/Santiago", "America/Sao_Paulo", "Pacific/Chatham", "Europe/Dublin",
    ])
    func offsetsAgreeWithZdump(zone: String) throws {
        let info = try ZoneInfo(named: zone)
        let pairs = try Self.zdump(zone, years: "1975,2045")
        #expect(pairs.count > 10, "zdump listed \(pairs.count) transitions for \(zone)")
        for (instant, offset) in pairs {
            #expect(info.offset(at: instant) == offset, "\(zone) at \(instant) (\(CivilTime(wallSeconds: instant)) UTC)")
        }
    }

    @Test("UTC needs no file, and an unknown or unsafe name is refused by name")
    func namesAreChecked() throws {
        #expect(ZoneInfo.utc.offset(at: 1_800_000_000) == 0)
        #expect(try ZoneInfo(named: "UTC", directory: "/nonexistent").offset(at: 0) == 0)
        #expect(throws: CalendarError(.invalidZone, "unknown time zone 'Mars/Olympus': there is no /usr/share/zoneinfo/Mars/Olympus (is tzdata installed?)")) {
            try ZoneInfo(named: "Mars/Olympus")
        }
        for unsafe in ["../../etc/passwd", "/etc/localtime", "Europe/../../x", "", "Europe/Paris\n"] {
            let error = #expect(throws: CalendarError.self) { try ZoneInfo(named: unsafe) }
            #expect(error?.code == .invalidZone)
        }
        let directory = #expect(throws: CalendarError.self) { try ZoneInfo(named: "Europe") }
        #expect(directory?.message.contains("unknown time zone 'Europe'") == true)
    }

    @Test("a broken zone file is an error, never a crash: truncated, a negative count, garbage")
    func brokenFiles() throws {
        let good = try #require(FileBytes.read("/usr/share/zoneinfo/Europe/Paris"))
        var negative = good
        negative[32] = 0xFF  // the first header's transition count, made negative
        for bytes in [Array(good.prefix(60)), negative, Array("TZif2 garbage".utf8), []] {
            #expect(throws: CalendarError.self) { try ZoneInfo(identifier: "X", tzif: bytes) }
        }
    }

    @Test("a wall time clocks jump over names no instant, and the jump is found; one they repeat names two")
    func gapsAndRepeats() throws {
        let paris = try ZoneInfo(named: "Europe/Paris")
        let skipped = CivilTime(year: 2026, month: 3, day: 29, hour: 2, minute: 30)
        #expect(paris.instants(of: skipped).isEmpty)
        #expect(paris.instantAfterGap(skipped) == CivilTime(year: 2026, month: 3, day: 29, hour: 1).wallSeconds)
        let repeated = CivilTime(year: 2026, month: 10, day: 25, hour: 2, minute: 30)
        #expect(paris.instants(of: repeated) == [CivilTime(year: 2026, month: 10, day: 25, hour: 0, minute: 30).wallSeconds,
                                                 CivilTime(year: 2026, month: 10, day: 25, hour: 1, minute: 30).wallSeconds])
        #expect(paris.instantAfterGap(repeated) == nil)
    }

    @Test("a POSIX rule string reads as RFC 8536 says, northern and southern")
    func posixRules() throws {
        let paris = try PosixZoneRule(parsing: "CET-1CEST,M3.5.0,M10.5.0/3")
        #expect(paris.standardOffset == 3600 && paris.daylightOffset == 7200)
        // 2050-03-27 is the last Sunday of March: daylight time from 01:00 UTC.
        let change = CivilTime(year: 2050, month: 3, day: 27, hour: 1).wallSeconds
        #expect(paris.offset(at: change - 1) == 3600 && paris.offset(at: change) == 7200)
        let sydney = try PosixZoneRule(parsing: "AEST-10AEDT,M10.1.0,M4.1.0/3")
        #expect(sydney.offset(at: CivilTime(year: 2050, month: 1, day: 15).wallSeconds) == 39_600)
        #expect(sydney.offset(at: CivilTime(year: 2050, month: 7, day: 15).wallSeconds) == 36_000)
        let tehran = try PosixZoneRule(parsing: "<+0330>-3:30")
        #expect(tehran.offset(at: 0) == 12_600 && tehran.daylightOffset == nil)
        let error = #expect(throws: CalendarError.self) { try PosixZoneRule(parsing: "CET-1CEST,M13.5.0,M10.5.0") }
        #expect(error?.message.contains("Mm.w.d") == true)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Wall-clock time as seconds since 1970 in whole milliseconds, and its RFC 3339 text (UTC,
/// milliseconds). Times are kept at the precision they are written with, so a value read back
/// from JSON equals the one written.
public enum Timestamp {
    /// Now, in seconds since 1970 (whole milliseconds).
    public static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Double(Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000) / 1000
    }

    /// Monotonic seconds (for measuring intervals, not for display).
    public static func monotonic() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// `2026-11-22T04:28:52.123Z`. Written into a fixed buffer: every event carries one.
    public static func format(_ seconds: Double) -> String {
        // Clamped to years 0000...9999 (what the text can say); never a trap on a strange value.
        let scaled = (seconds * 1000).rounded()
        let millis = scaled.isNaN ? 0 : Int64(min(max(scaled, -62_167_219_200_000), 253_402_300_799_999))
        var days = millis / 86_400_000
        var rest = millis % 86_400_000
        if rest < 0 { rest += 86_400_000; days -= 1 }
        // Civil date from days (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = min(9999, max(0, yoe + era * 400 + (month <= 2 ? 1 : 0)))
        let hour = rest / 3_600_000, minute = rest / 60_000 % 60, second = rest / 1000 % 60, ms = rest % 1000
        return String(unsafeUninitializedCapacity: 24) { buffer in
            func put(_ value: Int64, _ width: Int, at offset: Int) {
                var value = value
                for index in stride(from: offset + width - 1, through: offset, by: -1) {
                    buffer[index] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
            }
            put(year, 4, at: 0)
            buffer[4] = UInt8(ascii: "-")
            put(month, 2, at: 5)
            buffer[7] = UInt8(ascii: "-")
            put(day, 2, at: 8)
            buffer[10] = UInt8(ascii: "T")
            put(hour, 2, at: 11)
            buffer[13] = UInt8(ascii: ":")
            put(minute, 2, at: 14)
            buffer[16] = UInt8(ascii: ":")
            put(second, 2, at: 17)
            buffer[19] = UInt8(ascii: ".")
            put(ms, 3, at: 20)
            buffer[23] = UInt8(ascii: "Z")
            return 24
        }
    }

    /// Reads an RFC 3339 time: the text ``format(_:)`` writes, also without a fraction, and with
    /// `Z` or a numeric offset (`+01:00`, `-05:30`).
    public static func parse(_ text: String, path: String = "time") throws -> Double {
        let b = Array(text.utf8)
        func num(_ from: Int, _ count: Int) -> Int64? {
            guard from + count <= b.count else { return nil }
            var v: Int64 = 0
            for i in from..<(from + count) {
                guard b[i] >= 48 && b[i] <= 57 else { return nil }
                v = v * 10 + Int64(b[i] - 48)
            }
            return v
        }
        guard b.count >= 20, let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2), let h = num(11, 2),
              let mi = num(14, 2), let s = num(17, 2), b[4] == 45, b[7] == 45, b[10] == 84, b[13] == 58, b[16] == 58
        else { throw JSONShapeError(path: path, "expected an RFC 3339 time like 2026-11-22T04:28:52.123Z") }
        var millis: Int64 = 0
        var index = 19
        if b[index] == 46 {
            index += 1
            var digits = 0
            while index < b.count, b[index] >= 48, b[index] <= 57 {
                if digits < 3 { millis = millis * 10 + Int64(b[index] - 48) }
                digits += 1
                index += 1
            }
            for _ in digits..<max(digits, 3) { millis *= 10 }
        }
        var offset: Int64 = 0
        if index == b.count - 6, b[index] == 43 || b[index] == 45, b[index + 3] == 58,
           let oh = num(index + 1, 2), let om = num(index + 4, 2), oh < 24, om < 60 {
            offset = (oh * 3600 + om * 60) * (b[index] == 43 ? 1 : -1)
        } else {
            guard index == b.count - 1, b[index] == 90 || b[index] == 122 else {
                throw JSONShapeError(path: path, "expected an RFC 3339 time ending in Z or an offset like +01:00")
            }
        }
        let yy = mo <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        let seconds: Int64 = days * 86400 + h * 3600 + mi * 60 + s
        let total: Int64 = (seconds - offset) * 1000 + millis
        return Double(total) / 1000
    }
}

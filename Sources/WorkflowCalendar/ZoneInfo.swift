#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A time zone as the system's zoneinfo database describes it (RFC 8536 TZif files under
/// `/usr/share/zoneinfo`): its offset from UTC at any instant, and the instants a wall-clock
/// time names there. Read from the file, so the daemon follows the system's tzdata updates
/// without a rebuild.
public struct ZoneInfo: Sendable, Hashable {
    /// The zone's name (`Europe/Paris`, `UTC`).
    public let identifier: String
    /// Transition instants, ascending.
    private let transitions: [Int]
    /// The offset (seconds east of UTC) in force from each transition on.
    private let offsets: [Int]
    /// The offset before the first transition.
    private let initialOffset: Int
    /// What governs instants after the last transition (the file's footer), if anything.
    private let rule: PosixZoneRule?

    /// The directory the system keeps zoneinfo files in.
    public static let systemDirectory = "/usr/share/zoneinfo"

    /// Coordinated Universal Time, which needs no file.
    public static let utc = ZoneInfo(identifier: "UTC", transitions: [], offsets: [], initialOffset: 0, rule: nil)

    private init(identifier: String, transitions: [Int], offsets: [Int], initialOffset: Int, rule: PosixZoneRule?) {
        self.identifier = identifier
        self.transitions = transitions
        self.offsets = offsets
        self.initialOffset = initialOffset
        self.rule = rule
    }

    /// The zone named `identifier`, read from `directory`.
    /// - Parameters:
    ///   - identifier: An IANA zone name such as `America/New_York`; `UTC` is always known.
    ///   - directory: The zoneinfo directory.
    /// - Throws: ``CalendarError`` with code `invalidZone` when the name is not a zone there or
    ///   its file does not parse.
    public init(named identifier: String, directory: String = ZoneInfo.systemDirectory) throws(CalendarError) {
        let allowed = identifier.utf8.allSatisfy { byte in
            (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || (byte >= 48 && byte <= 57) || "_+-/".utf8.contains(byte)
        }
        guard !identifier.isEmpty, allowed, !identifier.hasPrefix("/"), !identifier.split(separator: "/").contains("..") else {
            throw CalendarError(.invalidZone, "'\(identifier)' is not a time zone name (IANA names look like Europe/Paris)")
        }
        let path = directory + "/" + identifier
        guard let bytes = Self.read(path), !bytes.isEmpty else {
            if identifier == "UTC" || identifier == "Etc/UTC" {
                self = .utc
                return
            }
            throw CalendarError(.invalidZone, "unknown time zone '\(identifier)': there is no \(path) (is tzdata installed?)")
        }
        try self.init(identifier: identifier, tzif: bytes)
    }

    /// Reads a zone from the bytes of its TZif file.
    /// - Parameters:
    ///   - identifier: The zone's name.
    ///   - tzif: The file's bytes.
    /// - Throws: ``CalendarError`` with code `invalidZone` when they are not a TZif file.
    public init(identifier: String, tzif bytes: [UInt8]) throws(CalendarError) {
        func failure(_ what: String) -> CalendarError {
            CalendarError(.invalidZone, "the zoneinfo file of '\(identifier)' does not parse: \(what)")
        }
        var cursor = 0
        func integer(_ width: Int) throws(CalendarError) -> Int {
            guard cursor + width <= bytes.count else { throw failure("it ends early") }
            var value: UInt64 = 0
            for byte in bytes[cursor..<cursor + width] { value = value << 8 | UInt64(byte) }
            cursor += width
            // Two's complement of the given width.
            let shift = UInt64(64 - width * 8)
            return Int(Int64(bitPattern: value << shift) >> Int64(shift))
        }
        func header() throws(CalendarError) -> (version: UInt8, isUT: Int, isStd: Int, leap: Int, time: Int, type: Int, chars: Int) {
            guard cursor + 44 <= bytes.count, Array(bytes[cursor..<cursor + 4]) == Array("TZif".utf8) else { throw failure("no TZif header") }
            let version = bytes[cursor + 4]
            cursor += 20
            return (version, try integer(4), try integer(4), try integer(4), try integer(4), try integer(4), try integer(4))
        }
        var counts = try header()
        var timeWidth = 4
        if counts.version >= UInt8(ascii: "2") {
            guard [counts.isUT, counts.isStd, counts.leap, counts.time, counts.type, counts.chars].allSatisfy({ (0...1_000_000).contains($0) }) else {
                throw failure("a count out of range in the version 1 header")
            }
            // Skip the version 1 block (32-bit times) for the 64-bit one after it.
            cursor += counts.time * 5 + counts.type * 6 + counts.chars + counts.leap * 8 + counts.isStd + counts.isUT
            counts = try header()
            timeWidth = 8
        }
        guard counts.type >= 1 else { throw failure("no local time types") }
        // Counts are 32-bit in the file: a negative or absurd one is a broken file, not a loop bound.
        for count in [counts.isUT, counts.isStd, counts.leap, counts.time, counts.type, counts.chars] where !(0...1_000_000).contains(count) {
            throw failure("a count of \(count)")
        }
        var transitions: [Int] = []
        for _ in 0..<counts.time { transitions.append(try integer(timeWidth)) }
        var typeIndices: [Int] = []
        for _ in 0..<counts.time { typeIndices.append(try integer(1) & 0xFF) }
        var typeOffsets: [Int] = []
        for _ in 0..<counts.type {
            typeOffsets.append(try integer(4))
            cursor += 2  // isdst, abbreviation index
        }
        guard typeIndices.allSatisfy({ $0 < typeOffsets.count }) else { throw failure("a transition names a missing type") }
        cursor += counts.chars + counts.leap * (timeWidth + 4) + counts.isStd + counts.isUT
        var rule: PosixZoneRule?
        if timeWidth == 8, cursor < bytes.count, bytes[cursor] == UInt8(ascii: "\n") {
            let footer = bytes[(cursor + 1)...].prefix { $0 != UInt8(ascii: "\n") }
            if !footer.isEmpty { rule = try PosixZoneRule(parsing: String(decoding: footer, as: UTF8.self)) }
        }
        self.init(identifier: identifier, transitions: transitions, offsets: typeIndices.map { typeOffsets[$0] },
                  initialOffset: typeOffsets[0], rule: rule)
    }

    /// Seconds east of UTC at Unix time `time`.
    /// - Parameter time: Seconds since 1970-01-01T00:00:00Z.
    public func offset(at time: Int) -> Int {
        guard let last = transitions.last else { return rule?.offset(at: time) ?? initialOffset }
        if time >= last, let rule { return rule.offset(at: time) }
        guard time >= transitions[0] else { return initialOffset }
        // The last transition at or before `time`.
        var low = 0, high = transitions.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if transitions[middle] <= time { low = middle } else { high = middle - 1 }
        }
        return offsets[low]
    }

    /// The wall-clock time at Unix time `time`.
    /// - Parameter time: Seconds since 1970-01-01T00:00:00Z.
    public func civil(at time: Int) -> CivilTime {
        CivilTime(wallSeconds: time + offset(at: time))
    }

    /// The instants that wall-clock time `civil` names in this zone, earliest first: one
    /// usually, two when clocks were set back over it (the hour that repeats), none when they
    /// jumped over it (see ``instantAfterGap(_:)``).
    /// - Parameter civil: A wall-clock time.
    public func instants(of civil: CivilTime) -> [Int] {
        let wall = civil.wallSeconds
        // Every offset in force within a day or two of it: a wall time can only mean those.
        var candidates: [Int] = []
        for probe in [wall - 2 * 86_400, wall - 86_400, wall, wall + 86_400, wall + 2 * 86_400] {
            let offset = offset(at: probe)
            if !candidates.contains(offset) { candidates.append(offset) }
        }
        var instants: [Int] = []
        for offset in candidates where self.offset(at: wall - offset) == offset && !instants.contains(wall - offset) {
            instants.append(wall - offset)
        }
        return instants.sorted()
    }

    /// For a wall-clock time that does not exist (clocks jumped over it), the instant of that
    /// jump: the first instant whose wall time is later. Nil when `civil` exists.
    /// - Parameter civil: A wall-clock time.
    public func instantAfterGap(_ civil: CivilTime) -> Int? {
        guard instants(of: civil).isEmpty else { return nil }
        let wall = civil.wallSeconds
        var low = wall - 2 * 86_400, high = wall + 2 * 86_400
        // Wall time rises with the instant and leaps over `wall` at the jump: find where.
        while low < high {
            let middle = low + (high - low) / 2
            if middle + offset(at: middle) > wall { high = middle } else { low = middle + 1 }
        }
        return low
    }

    private static func read(_ path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count > 0 { bytes.append(contentsOf: buffer[..<count]) }
            if count < buffer.count { break }
            // A zone file is a few KiB; anything this large is not one.
            if bytes.count > 1 << 20 { return nil }
        }
        return bytes
    }

    /// Zones are the same when their names are.
    /// - Parameters:
    ///   - lhs: A zone.
    ///   - rhs: Another.
    public static func == (lhs: ZoneInfo, rhs: ZoneInfo) -> Bool { lhs.identifier == rhs.identifier }

    /// Hashes the name.
    /// - Parameter hasher: The hasher.
    public func hash(into hasher: inout Hasher) { hasher.combine(identifier) }
}

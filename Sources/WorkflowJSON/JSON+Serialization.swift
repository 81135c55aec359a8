#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension JSON {
    /// Compact JSON text. Keys are sorted by default, which makes the text canonical (the same value
    /// always gives the same bytes), as checkpoints, hashes and tests need.
    public func serialized(sortedKeys: Bool = true) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        write(into: &bytes, sortedKeys: sortedKeys)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Compact UTF-8 JSON bytes (see ``serialized(sortedKeys:)``).
    public func serializedBytes(sortedKeys: Bool = true) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64)
        write(into: &bytes, sortedKeys: sortedKeys)
        return bytes
    }

    /// Appends this value's compact JSON text to `bytes`.
    public func write(into bytes: inout [UInt8], sortedKeys: Bool = true) {
        switch self {
        case .null:
            bytes.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
        case .bool(let b):
            if b { bytes.append(contentsOf: [0x74, 0x72, 0x75, 0x65]) } else {
                bytes.append(contentsOf: [0x66, 0x61, 0x6C, 0x73, 0x65])
            }
        case .number(let n):
            JSON.writeNumber(n, into: &bytes)
        case .string(let s):
            JSON.writeString(s, into: &bytes)
        case .array(let array):
            bytes.append(UInt8(ascii: "["))
            var first = true
            for element in array {
                if !first { bytes.append(UInt8(ascii: ",")) }
                first = false
                element.write(into: &bytes, sortedKeys: sortedKeys)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let object):
            bytes.append(UInt8(ascii: "{"))
            var first = true
            if sortedKeys && object.count > 1 {
                // Sort positions, not (key, value) pairs: moving Ints costs no reference counting.
                let entries = Array(object)
                let order = entries.indices.sorted { JSON.codepointLess(entries[$0].key, entries[$1].key) }
                for position in order {
                    if !first { bytes.append(UInt8(ascii: ",")) }
                    first = false
                    JSON.writeString(entries[position].key, into: &bytes)
                    bytes.append(UInt8(ascii: ":"))
                    entries[position].value.write(into: &bytes, sortedKeys: sortedKeys)
                }
            } else {
                for (key, value) in object {
                    if !first { bytes.append(UInt8(ascii: ",")) }
                    first = false
                    JSON.writeString(key, into: &bytes)
                    bytes.append(UInt8(ascii: ":"))
                    value.write(into: &bytes, sortedKeys: sortedKeys)
                }
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// Orders strings by Unicode code point (UTF-8 byte order), the order JMESPath's `sort` and
    /// canonical JSON use. (Swift's `<` on `String` compares grapheme clusters.)
    public static func codepointLess(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        return a.withUTF8 { pa in
            b.withUTF8 { pb in
                let common = min(pa.count, pb.count)
                if common > 0 {
                    let order = memcmp(pa.baseAddress!, pb.baseAddress!, common)
                    if order != 0 { return order < 0 }
                }
                return pa.count < pb.count
            }
        }
    }

    static func writeNumber(_ n: Double, into bytes: inout [UInt8]) {
        if n.isFinite, n.rounded() == n, abs(n) < 9_007_199_254_740_992 {
            var value = Int64(n)
            if value == 0 {
                bytes.append(UInt8(ascii: "0"))
                return
            }
            if value < 0 {
                bytes.append(UInt8(ascii: "-"))
                value = -value
            }
            var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                         UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            var count = 0
            withUnsafeMutableBytes(of: &digits) { buffer in
                while value > 0 {
                    buffer[count] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                    count += 1
                }
                for index in stride(from: count - 1, through: 0, by: -1) { bytes.append(buffer[index]) }
            }
        } else if n.isFinite {
            // Swift's description is the shortest text that reads back as the same double, and
            // it is valid JSON ("1e-07", "0.1", "1.5e+300").
            bytes.append(contentsOf: n.description.utf8)
        } else {
            // JSON has no infinities or NaN; the parser never produces them.
            bytes.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
        }
    }

    static func writeString(_ s: String, into bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        var s = s
        // Fast path: nothing to escape, one bulk copy.
        let plain = s.withUTF8 { buffer -> Bool in
            for byte in buffer where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return false }
            bytes.append(contentsOf: buffer)
            return true
        }
        if plain {
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x08: bytes.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: bytes.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

/// A posted form (`application/x-www-form-urlencoded`): its fields in the order the browser sent
/// them. A name may come more than once (checkboxes of one array); ``subscript(_:)`` gives the last.
struct FormFields: Sendable, Equatable {
    /// The fields, in order.
    var pairs: [(name: String, value: String)]

    static func == (lhs: FormFields, rhs: FormFields) -> Bool {
        lhs.pairs.count == rhs.pairs.count && zip(lhs.pairs, rhs.pairs).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    init(pairs: [(name: String, value: String)] = []) {
        self.pairs = pairs
    }

    /// Reads an encoded form; `+` is a space, `%XX` a byte, bytes that are not UTF-8 are replaced.
    init(encoded text: String) {
        pairs = []
        for part in text.split(separator: "&", omittingEmptySubsequences: true) {
            let halves = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            pairs.append((Self.decode(halves[0]), halves.count > 1 ? Self.decode(halves[1]) : ""))
        }
    }

    /// The last value sent under `name`.
    subscript(name: String) -> String? {
        pairs.last { $0.name == name }?.value
    }

    /// Every value sent under `name`, in order.
    func all(_ name: String) -> [String] {
        pairs.filter { $0.name == name }.map(\.value)
    }

    /// Whether any field's name starts with `prefix`.
    func hasAny(under prefix: String) -> Bool {
        pairs.contains { $0.name == prefix || $0.name.hasPrefix(prefix + "/") }
    }

    private static func decode(_ text: Substring) -> String {
        let input = Array(text.utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            let byte = input[index]
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), index + 2 < input.count, let high = hex(input[index + 1]), let low = hex(input[index + 2]) {
                bytes.append(high << 4 | low)
                index += 2
            } else {
                bytes.append(byte)  // a `%` without two hexadecimal digits is itself
            }
            index += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension JSON {
    /// JSON text for people: two-space indentation, keys sorted, empty arrays and objects on one
    /// line. Parses back to the same value as ``serialized(sortedKeys:)``.
    public func prettyPrinted(indent: Int = 0) -> String {
        var bytes: [UInt8] = []
        writePretty(into: &bytes, depth: indent)
        return String(decoding: bytes, as: UTF8.self)
    }

    private func writePretty(into bytes: inout [UInt8], depth: Int) {
        func newline(_ depth: Int) {
            bytes.append(0x0A)
            bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: depth * 2))
        }
        switch self {
        case .array(let array) where !array.isEmpty:
            bytes.append(UInt8(ascii: "["))
            for (index, element) in array.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(depth + 1)
                element.writePretty(into: &bytes, depth: depth + 1)
            }
            newline(depth)
            bytes.append(UInt8(ascii: "]"))
        case .object(let object) where !object.isEmpty:
            bytes.append(UInt8(ascii: "{"))
            for (index, key) in object.keys.sorted(by: JSON.codepointLess).enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(depth + 1)
                JSON.string(key).write(into: &bytes)
                bytes.append(contentsOf: [UInt8(ascii: ":"), UInt8(ascii: " ")])
                object[key]!.writePretty(into: &bytes, depth: depth + 1)
            }
            newline(depth)
            bytes.append(UInt8(ascii: "}"))
        default:
            write(into: &bytes)
        }
    }
}

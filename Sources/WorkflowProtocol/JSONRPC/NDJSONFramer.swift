/// Splits a byte stream into lines (NDJSON framing) with a cap on a line's length: what the
/// client reads with (the daemon frames with NIO's line decoder and the same cap). A `\r` before
/// the newline is dropped.
public struct NDJSONFramer: Sendable {
    public let maximumLineLength: Int
    private var buffer: [UInt8] = []
    private var scanned = 0

    /// A line longer than the cap: the stream cannot be read further.
    public struct LineTooLong: Error, CustomStringConvertible, Sendable {
        public var limit: Int
        public var description: String { "a line longer than \(limit) bytes" }
    }

    public init(maximumLineLength: Int = 64 << 20) {
        self.maximumLineLength = maximumLineLength
    }

    /// Adds bytes; returns the complete lines they finish.
    public mutating func append(_ bytes: some Sequence<UInt8>) throws(LineTooLong) -> [[UInt8]] {
        buffer.append(contentsOf: bytes)
        var lines: [[UInt8]] = []
        var start = 0
        var index = scanned
        while index < buffer.count {
            if buffer[index] == 0x0A {
                var end = index
                if end > start && buffer[end - 1] == 0x0D { end -= 1 }
                lines.append(Array(buffer[start..<end]))
                start = index + 1
            }
            index += 1
        }
        if start > 0 { buffer.removeFirst(start) }
        scanned = buffer.count
        if buffer.count > maximumLineLength { throw LineTooLong(limit: maximumLineLength) }
        return lines
    }

    /// Bytes waiting for their newline.
    public var pending: Int { buffer.count }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Lines from a file descriptor (blocking reads), each at most `limit` bytes: a longer one is
/// reported once as ``Line/tooLong`` and skipped to its end, so one bad message costs no memory.
struct LineReader {
    enum Line {
        case line([UInt8])
        case tooLong
    }

    let descriptor: Int32
    let limit: Int
    private var buffer: [UInt8] = []
    private var skipping = false
    private var ended = false

    init(descriptor: Int32, limit: Int) {
        self.descriptor = descriptor
        self.limit = limit
    }

    /// The next line (without its newline), nil at the end of input.
    mutating func next() -> Line? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                if skipping {
                    // The end of a line already reported.
                    skipping = false
                    continue
                }
                return line.count > limit ? .tooLong : .line(line)
            }
            if buffer.count > limit {
                buffer.removeAll(keepingCapacity: true)
                if !skipping {
                    skipping = true
                    return .tooLong
                }
            }
            if ended {
                guard !buffer.isEmpty, !skipping else { return nil }
                defer { buffer.removeAll() }
                return .line(buffer)
            }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 {
                ended = true
                continue
            }
            buffer.append(contentsOf: chunk[..<count])
        }
    }
}

/// The last bytes of a stream that may be endless (a program's stderr): only `capacity` bytes are
/// ever kept, however much is written, so logging can neither fill memory nor kill the program.
struct OutputTail: Sendable {
    let capacity: Int
    private var ring: [UInt8] = []
    private var start = 0
    /// How many bytes went by in all.
    private(set) var total = 0

    init(capacity: Int) { self.capacity = max(1, capacity) }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        total += bytes.count
        for byte in bytes.suffix(capacity) {
            if ring.count < capacity {
                ring.append(byte)
            } else {
                ring[start] = byte
                start = (start + 1) % capacity
            }
        }
    }

    /// The kept bytes, oldest first.
    var bytes: [UInt8] { Array(ring[start...] + ring[..<start]) }
}

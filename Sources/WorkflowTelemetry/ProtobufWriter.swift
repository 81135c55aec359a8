/// The few pieces of the protocol buffers wire format that OTLP needs (varints, fixed-width
/// numbers, length-delimited fields): enough to write `ExportTraceServiceRequest` without a
/// generated code base.
///
/// It writes into memory of its own through a pointer: a request is thousands of tags, lengths
/// and numbers, and appending each to an `Array` (a uniqueness and a capacity check per call,
/// per byte for fixed-width numbers) was most of what exporting a span cost.
struct ProtobufWriter: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var count = 0
    private var capacity: Int

    /// A writer with room for `capacity` bytes (it grows when it needs more).
    init(capacity: Int = 256) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// What was written.
    var bytes: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }

    @inline(__always)
    private mutating func reserve(_ needed: Int) {
        if count + needed > capacity { grow(to: count + needed) }
    }

    private mutating func grow(to needed: Int) {
        var larger = capacity * 2
        while larger < needed { larger *= 2 }
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: larger)
        moved.update(from: base, count: count)
        base.deallocate()
        base = moved
        capacity = larger
    }

    private mutating func varint(_ value: UInt64) {
        reserve(10)
        var value = value
        while value >= 0x80 {
            base[count] = UInt8(truncatingIfNeeded: value) | 0x80
            count += 1
            value >>= 7
        }
        base[count] = UInt8(value)
        count += 1
    }

    /// `value`'s bytes in its in-memory order (callers pick the endianness).
    private mutating func raw<T: FixedWidthInteger>(_ value: T) {
        reserve(MemoryLayout<T>.size)
        UnsafeMutableRawPointer(base + count).storeBytes(of: value, as: T.self)
        count += MemoryLayout<T>.size
    }

    private mutating func append(_ source: UnsafeBufferPointer<UInt8>) {
        guard let start = source.baseAddress, !source.isEmpty else { return }
        reserve(source.count)
        (base + count).update(from: start, count: source.count)
        count += source.count
    }

    private mutating func tag(_ field: Int, _ wireType: UInt64) { varint(UInt64(field) << 3 | wireType) }

    /// A varint field (int64, uint32, bool, enum); zero is left out, as proto3 does.
    mutating func varint(_ field: Int, _ value: UInt64) {
        guard value != 0 else { return }
        tag(field, 0)
        varint(value)
    }

    mutating func int64(_ field: Int, _ value: Int64) { varint(field, UInt64(bitPattern: value)) }

    mutating func bool(_ field: Int, _ value: Bool) { varint(field, value ? 1 : 0) }

    mutating func fixed64(_ field: Int, _ value: UInt64) {
        guard value != 0 else { return }
        tag(field, 1)
        raw(value.littleEndian)
    }

    mutating func fixed32(_ field: Int, _ value: UInt32) {
        guard value != 0 else { return }
        tag(field, 5)
        raw(value.littleEndian)
    }

    mutating func double(_ field: Int, _ value: Double) {
        tag(field, 1)
        raw(value.bitPattern.littleEndian)
    }

    mutating func data(_ field: Int, _ value: [UInt8]) {
        guard !value.isEmpty else { return }
        tag(field, 2)
        varint(UInt64(value.count))
        value.withUnsafeBufferPointer { append($0) }
    }

    /// A string field; empty is left out.
    mutating func string(_ field: Int, _ value: String) {
        guard !value.isEmpty else { return }
        presentString(field, value)
    }

    /// A string field written even when empty (a member of a oneof is present or not).
    mutating func presentString(_ field: Int, _ value: String) {
        tag(field, 2)
        var value = value
        value.withUTF8 { utf8 in
            varint(UInt64(utf8.count))
            append(utf8)
        }
    }

    /// An 8-byte id (a span id), big-endian as its hex form reads; zero is left out.
    mutating func id(_ field: Int, _ value: UInt64) {
        guard value != 0 else { return }
        tag(field, 2)
        varint(8)
        raw(value.bigEndian)
    }

    /// A 16-byte id (a trace id) from its two halves, big-endian.
    mutating func id(_ field: Int, high: UInt64, low: UInt64) {
        tag(field, 2)
        varint(16)
        raw(high.bigEndian)
        raw(low.bigEndian)
    }

    /// A varint field written even when zero (a member of a oneof).
    mutating func presentVarint(_ field: Int, _ value: UInt64) {
        tag(field, 0)
        varint(value)
    }

    /// An embedded message, written by `body` (written even when empty: a present message).
    ///
    /// Written in place: a byte is kept for the length, which fits most messages (under 128
    /// bytes); a longer one moves its body up by the bytes its length needs. (Writing each message
    /// into a buffer of its own and copying it into its parent's cost an allocation and a copy
    /// per level, for every attribute of every span.)
    mutating func message(_ field: Int, _ body: (inout ProtobufWriter) -> Void) {
        tag(field, 2)
        reserve(1)
        let at = count
        count += 1
        body(&self)
        let length = count - at - 1
        var size = 1
        while length >> (7 * size) != 0 { size += 1 }
        if size > 1 {
            reserve(size - 1)
            // Overlapping ranges: copyMemory moves as memmove does.
            UnsafeMutableRawPointer(base + at + size).copyMemory(from: base + at + 1, byteCount: length)
            count += size - 1
        }
        var value = length
        for index in 0..<size {
            base[at + index] = UInt8(truncatingIfNeeded: value & 0x7f) | (index < size - 1 ? 0x80 : 0)
            value >>= 7
        }
    }
}

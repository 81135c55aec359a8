import Tracing
import WorkflowJSON

/// A span's identity as W3C Trace Context carries it (`traceparent`): the trace it belongs to,
/// the span, and whether the trace is sampled.
///
/// The ids are kept as integers (big-endian, as the header writes them), not byte arrays: a
/// context is made for every span, and two arrays were two allocations each time.
public struct TraceContext: Sendable, Hashable, CustomStringConvertible {
    /// The trace id's first 8 bytes (big-endian); with ``traceIDLow`` not both zero.
    public var traceIDHigh: UInt64
    /// The trace id's last 8 bytes.
    public var traceIDLow: UInt64
    /// The span id (8 bytes, big-endian), not zero.
    public var spanID: UInt64
    /// Bit 0: sampled.
    public var flags: UInt8

    /// A context with these ids.
    public init(traceIDHigh: UInt64, traceIDLow: UInt64, spanID: UInt64, flags: UInt8 = 1) {
        self.traceIDHigh = traceIDHigh
        self.traceIDLow = traceIDLow
        self.spanID = spanID
        self.flags = flags
    }

    /// A context for a new span `spanID` in the same trace as this one.
    public func child(spanID: UInt64) -> TraceContext {
        TraceContext(traceIDHigh: traceIDHigh, traceIDLow: traceIDLow, spanID: spanID, flags: flags)
    }

    /// Reads a `traceparent` header (version 00, or a later one read as 00 prescribes); nil if it
    /// is not one.
    public init?(traceparent text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0].count == 2, let version = UInt8(parts[0], radix: 16), version != 0xff,
              version != 0 || parts.count == 4, parts[1].utf8.count == 32,
              let high = Self.number(parts[1].prefix(16)), let low = Self.number(parts[1].dropFirst(16)),
              let span = Self.number(parts[2]), parts[2].utf8.count == 16,
              let flags = Self.number(parts[3]), parts[3].utf8.count == 2,
              high != 0 || low != 0, span != 0 else { return nil }
        self.init(traceIDHigh: high, traceIDLow: low, spanID: span, flags: UInt8(flags))
    }

    /// The `traceparent` header of this context.
    public var traceparent: String {
        // Written into one string (55 bytes): interpolating four hex strings cost ~6,000
        // instructions, a run's most expensive line when traced (it is kept in the run's state).
        String(unsafeUninitializedCapacity: 55) { buffer in
            buffer[0] = UInt8(ascii: "0")
            buffer[1] = UInt8(ascii: "0")
            buffer[2] = UInt8(ascii: "-")
            Self.writeHex(traceIDHigh, digits: 16, into: buffer, at: 3)
            Self.writeHex(traceIDLow, digits: 16, into: buffer, at: 19)
            buffer[35] = UInt8(ascii: "-")
            Self.writeHex(spanID, digits: 16, into: buffer, at: 36)
            buffer[52] = UInt8(ascii: "-")
            Self.writeHex(UInt64(flags), digits: 2, into: buffer, at: 53)
            return 55
        }
    }
    /// The trace id in lower-case hex (32 digits), as journals and UIs show it.
    public var traceIDHex: String { Self.hex(traceIDHigh, digits: 16) + Self.hex(traceIDLow, digits: 16) }
    /// The span id in lower-case hex (16 digits).
    public var spanIDHex: String { Self.hex(spanID, digits: 16) }
    public var description: String { traceparent }

    /// The trace id as a log entry's metadata: formatted only if the entry is written.
    public var traceIDText: HexText { HexText(context: self, trace: true) }
    /// The span id as a log entry's metadata.
    public var spanIDText: HexText { HexText(context: self, trace: false) }

    /// An id of a context in hex, made when it is shown.
    public struct HexText: CustomStringConvertible, Sendable {
        let context: TraceContext
        let trace: Bool
        /// The id in lower-case hex.
        public var description: String { trace ? context.traceIDHex : context.spanIDHex }
    }

    /// A new trace id (random, as W3C Trace Context level 2 recommends), not all zero.
    public static func newTraceID() -> (high: UInt64, low: UInt64) {
        let high = Identifier.randomWord()
        return (high, high == 0 ? newSpanID() : Identifier.randomWord())
    }

    /// A new span id, not zero.
    public static func newSpanID() -> UInt64 {
        while true {
            let word = Identifier.randomWord()
            if word != 0 { return word }
        }
    }

    static func hex(_ value: UInt64, digits: Int) -> String {
        String(unsafeUninitializedCapacity: digits) { buffer in
            writeHex(value, digits: digits, into: buffer, at: 0)
            return digits
        }
    }

    /// `value`'s last `digits` hex digits, lower case, at `offset` in `buffer`.
    private static func writeHex(_ value: UInt64, digits: Int, into buffer: UnsafeMutableBufferPointer<UInt8>, at offset: Int) {
        for position in 0..<digits {
            let digit = UInt8(truncatingIfNeeded: (value >> UInt64(4 * (digits - 1 - position))) & 0xf)
            buffer[offset + position] = digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10
        }
    }

    /// Lower-case hex digits only, as the specification says.
    private static func number(_ text: Substring) -> UInt64? {
        guard !text.isEmpty, text.utf8.count <= 16 else { return nil }
        var value: UInt64 = 0
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = value << 4 | UInt64(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = value << 4 | UInt64(byte - UInt8(ascii: "a") + 10)
            default: return nil
            }
        }
        return value
    }
}

/// Where a span's ``TraceContext`` travels in a `ServiceContext`.
public enum TraceContextKey: ServiceContextKey {
    public typealias Value = TraceContext
    public static var nameOverride: String? { "traceparent" }
}

extension ServiceContext {
    /// The trace context of the span this context belongs to (or of a remote parent).
    public var traceContext: TraceContext? {
        get { self[TraceContextKey.self] }
        set { self[TraceContextKey.self] = newValue }
    }
}

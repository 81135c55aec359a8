import Tracing

/// A span's identity as W3C Trace Context carries it (`traceparent`): the trace it belongs to,
/// the span, and whether the trace is sampled.
public struct TraceContext: Sendable, Hashable, CustomStringConvertible {
    /// 16 bytes, not all zero.
    public var traceID: [UInt8]
    /// 8 bytes, not all zero.
    public var spanID: [UInt8]
    /// Bit 0: sampled.
    public var flags: UInt8

    /// A context with these ids.
    public init(traceID: [UInt8], spanID: [UInt8], flags: UInt8 = 1) {
        self.traceID = traceID
        self.spanID = spanID
        self.flags = flags
    }

    /// Reads a `traceparent` header (version 00, or a later one read as 00 prescribes); nil if it
    /// is not one.
    public init?(traceparent text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0].count == 2, let version = UInt8(parts[0], radix: 16), version != 0xff,
              version != 0 || parts.count == 4,
              let trace = Self.bytes(parts[1], count: 16), let span = Self.bytes(parts[2], count: 8),
              let flags = Self.bytes(parts[3], count: 1),
              trace.contains(where: { $0 != 0 }), span.contains(where: { $0 != 0 }) else { return nil }
        self.init(traceID: trace, spanID: span, flags: flags[0])
    }

    /// The `traceparent` header of this context.
    public var traceparent: String { "00-\(traceIDHex)-\(spanIDHex)-\(Self.hex([flags]))" }
    /// The trace id in lower-case hex (32 digits), as journals and UIs show it.
    public var traceIDHex: String { Self.hex(traceID) }
    /// The span id in lower-case hex (16 digits).
    public var spanIDHex: String { Self.hex(spanID) }
    public var description: String { traceparent }

    /// A new trace id (random, as W3C Trace Context level 2 recommends).
    public static func newTraceID() -> [UInt8] { IDGenerator.bytes(16) }
    /// A new span id.
    public static func newSpanID() -> [UInt8] { IDGenerator.bytes(8) }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xf)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func bytes(_ text: Substring, count: Int) -> [UInt8]? {
        guard text.utf8.count == count * 2 else { return nil }
        var out: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            // Lower case only, as the specification says.
            guard text[index..<next].allSatisfy({ $0.isNumber || ("a"..."f").contains($0) }),
                  let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            out.append(byte)
            index = next
        }
        return out
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

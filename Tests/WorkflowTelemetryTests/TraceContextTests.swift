import Testing
@testable import WorkflowTelemetry

/// W3C Trace Context as workflowd reads and writes it, OTLP endpoints, and the protocol buffers
/// writer the exporter uses.
@Suite("Telemetry: traceparent, endpoints, protocol buffers")
struct TraceContextTests {
    @Test("a traceparent reads back as written")
    func roundTrip() throws {
        let text = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        let context = try #require(TraceContext(traceparent: text))
        #expect(context.traceIDHex == "4bf92f3577b34da6a3ce929d0e0e4736" && context.spanIDHex == "00f067aa0ba902b7" && context.flags == 1)
        #expect(context.traceparent == text)
        // A later version may add fields after the flags; they are ignored.
        #expect(TraceContext(traceparent: "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-whatever")?.flags == 0)
    }

    @Test("what is not a traceparent is refused", arguments: [
        "", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
        "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01", "0x-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    ])
    func refused(text: String) {
        #expect(TraceContext(traceparent: text) == nil)
    }

    @Test("new ids are never all zero, and differ")
    func newIDs() {
        let ids = Set((0..<100).map { _ in TraceContext.newSpanID() })
        #expect(ids.count == 100 && !ids.contains(0))
        let traces = (0..<100).map { _ in TraceContext.newTraceID() }
        #expect(Set(traces.map { "\($0.high)-\($0.low)" }).count == 100 && traces.allSatisfy { $0.high != 0 || $0.low != 0 })
    }

    @Test("endpoints: a base URL gets /v1/traces, a signal's own URL is kept, only http", arguments: [
        ("http://127.0.0.1:4318", false, "http://127.0.0.1:4318/v1/traces"), ("http://collector", false, "http://collector:4318/v1/traces"),
        ("http://[::1]:9999/", false, "http://[::1]:9999/v1/traces"), ("http://c:1/otlp", false, "http://c:1/otlp/v1/traces"),
        ("http://c:1/custom/path", true, "http://c:1/custom/path"),
    ])
    func endpoints(text: String, specific: Bool, expected: String) throws {
        #expect(try OTLPEndpoint(parsing: text, signalSpecific: specific).description == expected)
    }

    @Test("endpoints that cannot be used are refused, saying why", arguments: [
        ("https://collector:4318", "not an http:// URL"), ("collector:4318", "not an http:// URL"), ("http://c:99999", "bad port"),
        ("http://:4318", "names no host"),
    ])
    func badEndpoints(text: String, problem: String) {
        #expect { try OTLPEndpoint(parsing: text) } throws: { "\($0)".contains(problem) }
    }

    @Test("protocol buffers: varints, fixed widths, zero left out, embedded messages with their length")
    func protobuf() {
        var writer = ProtobufWriter()
        writer.varint(1, 300)
        writer.varint(2, 0)
        writer.fixed64(3, 1)
        writer.string(4, "hi")
        writer.message(5) { $0.bool(1, true) }
        writer.presentVarint(6, 0)
        #expect(writer.bytes == [0x08, 0xAC, 0x02, 0x19, 1, 0, 0, 0, 0, 0, 0, 0, 0x22, 2, 0x68, 0x69, 0x2A, 2, 0x08, 1, 0x30, 0])
    }

    @Test("protocol buffers: messages written in place get a longer length when over 127 bytes, nested too; ids big-endian")
    func longMessages() {
        var writer = ProtobufWriter()
        writer.message(1) { outer in outer.message(2) { $0.string(3, String(repeating: "a", count: 200)) } }
        #expect(writer.bytes == [0x0A, 0xCE, 0x01, 0x12, 0xCB, 0x01, 0x1A, 0xC8, 0x01] + [UInt8](repeating: 0x61, count: 200))
        var ids = ProtobufWriter()
        ids.id(1, 0x0102_0304_0506_0708)
        ids.id(2, high: 0x1112_1314_1516_1718, low: 0x2122_2324_2526_2728)
        ids.id(3, 0)
        #expect(ids.bytes == [0x0A, 8, 1, 2, 3, 4, 5, 6, 7, 8, 0x12, 16, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
                              0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28])
        // A length of three bytes (20,004 = 0xA4 0x9C 0x01: tag, three length bytes, 20,000), and numbers of every width.
        var long = ProtobufWriter()
        long.message(1) { $0.data(2, [UInt8](repeating: 7, count: 20_000)) }
        #expect(Array(long.bytes.prefix(7)) == [0x0A, 0xA4, 0x9C, 0x01, 0x12, 0xA0, 0x9C])
        #expect(long.bytes.count == 4 + 3 + 1 + 20_000)
        var numbers = ProtobufWriter()
        numbers.varint(1, 300)
        numbers.fixed64(2, 0x0102_0304_0506_0708)
        numbers.fixed32(3, 0x0A0B_0C0D)
        numbers.varint(4, UInt64.max)
        #expect(numbers.bytes == [0x08, 0xAC, 0x02, 0x11, 8, 7, 6, 5, 4, 3, 2, 1, 0x1D, 0x0D, 0x0C, 0x0B, 0x0A,
                                  0x20, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
    }
}

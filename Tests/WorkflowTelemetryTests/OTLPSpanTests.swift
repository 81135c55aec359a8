import Logging
import Testing
import Tracing
@testable import WorkflowTelemetry

/// A span as the exporter will see it: queued by reference when it ends, so nothing may change
/// it afterwards, and its context made on demand must still be its own.
@Suite("Telemetry: spans")
struct OTLPSpanTests {
    let exporter = OTLPExporter(endpoint: try! OTLPEndpoint(parsing: "http://127.0.0.1:9"), resource: [("service.name", "test")],
                                logger: Logger(label: "test"))

    @Test("a span's context carries its own trace context, a child of the context it was started in")
    func contextIsTheSpans() throws {
        let tracer = OTLPTracer(exporter: exporter)
        var parent = ServiceContext.topLevel
        parent.traceContext = try #require(TraceContext(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
        let span = tracer.startSpan("child", context: parent)
        let own = try #require(span.context.traceContext)
        #expect(own.traceIDHex == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(own.spanID != 0x00f0_67aa_0ba9_02b7)
        #expect(span.parentSpanID == 0x00f0_67aa_0ba9_02b7)
        #expect(span.context.traceContext == own, "asked twice, the same span")
    }

    @Test("what is set on a span after it ended is not exported: it was queued as it was")
    func endedSpanStaysAsItEnded() throws {
        let tracer = OTLPTracer(exporter: exporter)
        let span = tracer.startSpan("s", context: .topLevel)
        span.attributes = ["a": 1]
        span.end()
        span.attributes = ["b": 2]
        span.operationName = "renamed"
        span.setStatus(SpanStatus(code: .error))
        span.addEvent(SpanEvent(name: "late"))
        span.end()
        #expect(exporter.waiting == 1, "ended twice, queued once")
        let finished = try #require(span.finished)
        #expect(finished.name == "s")
        #expect(finished.attributes == ["a": 1])
        #expect(finished.status == nil)
        #expect(finished.events.isEmpty)
        #expect(!span.isRecording)
    }
}

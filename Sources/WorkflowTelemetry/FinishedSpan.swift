import Tracing

/// A span once it ended: what the exporter sends. It keeps what the span held as it was (its
/// attributes, events and links): turning them into what OTLP writes is the exporter's work,
/// done on its own task, not the work of whoever ended the span.
struct FinishedSpan: Sendable {
    var name: String
    var context: TraceContext
    var parentSpanID: UInt64?
    var kind: SpanKind
    var start: UInt64
    var end: UInt64
    var attributes: SpanAttributes
    var events: [SpanEvent]
    var links: [SpanLink]
    var status: SpanStatus?
}

import Tracing

/// A span once it ended: what the exporter sends.
struct FinishedSpan: Sendable {
    var name: String
    var context: TraceContext
    var parentSpanID: [UInt8]?
    var kind: SpanKind
    var start: UInt64
    var end: UInt64
    var attributes: [(String, SpanAttribute)]
    var events: [(name: String, time: UInt64, attributes: [(String, SpanAttribute)])]
    var links: [(context: TraceContext, attributes: [(String, SpanAttribute)])]
    var status: SpanStatus?
}

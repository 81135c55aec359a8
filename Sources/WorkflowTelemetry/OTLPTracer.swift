import Tracing

/// A tracer that records spans and exports them with OTLP/HTTP (``OTLPExporter``), carrying
/// their identity as W3C Trace Context (`traceparent`).
public struct OTLPTracer: Tracer {
    public typealias Span = OTLPSpan
    let exporter: OTLPExporter

    /// A tracer whose spans go to `exporter`.
    public init(exporter: OTLPExporter) { self.exporter = exporter }

    public func startSpan<Instant: TracerInstant>(_ operationName: String, context: @autoclosure () -> ServiceContext, ofKind kind: SpanKind,
                                                  at instant: @autoclosure () -> Instant, function: String, file fileID: String,
                                                  line: UInt) -> OTLPSpan {
        let context = context()
        let parent = context.traceContext
        let own: TraceContext
        if let parent {
            own = parent.child(spanID: TraceContext.newSpanID())
        } else {
            let trace = TraceContext.newTraceID()
            own = TraceContext(traceIDHigh: trace.high, traceIDLow: trace.low, spanID: TraceContext.newSpanID())
        }
        return OTLPSpan(name: operationName, parentContext: context, traceContext: own, parentSpanID: parent?.spanID, kind: kind,
                        start: instant().nanosecondsSinceEpoch, exporter: exporter)
    }

    public func startAnySpan<Instant: TracerInstant>(_ operationName: String, context: @autoclosure () -> ServiceContext, ofKind kind: SpanKind,
                                                     at instant: @autoclosure () -> Instant, function: String, file fileID: String,
                                                     line: UInt) -> any Tracing.Span {
        startSpan(operationName, context: context(), ofKind: kind, at: instant(), function: function, file: fileID, line: line)
    }

    public func forceFlush() { exporter.flushSoon() }

    public func extract<Carrier, Extract: Extractor>(_ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract)
    where Extract.Carrier == Carrier {
        if let text = extractor.extract(key: "traceparent", from: carrier), let parent = TraceContext(traceparent: text) {
            context.traceContext = parent
        }
    }

    public func inject<Carrier, Inject: Injector>(_ context: ServiceContext, into carrier: inout Carrier, using injector: Inject)
    where Inject.Carrier == Carrier {
        if let trace = context.traceContext { injector.inject(trace.traceparent, forKey: "traceparent", into: &carrier) }
    }
}

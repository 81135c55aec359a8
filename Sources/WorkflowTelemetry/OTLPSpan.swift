import Tracing
import WorkflowConcurrency

/// A span of ``OTLPTracer``: recorded until it ends, then handed to the exporter. A reference
/// (as `Span` requires): every copy adds to the same span.
public final class OTLPSpan: Span {
    private struct State {
        var name: String
        var attributes: SpanAttributes = [:]
        var events: [SpanEvent] = []
        var links: [SpanLink] = []
        var status: SpanStatus?
        var ended = false
    }

    /// Attributes, events and links kept per span at most (more are dropped).
    static let limit = 128

    public let context: ServiceContext
    let traceContext: TraceContext
    let parentSpanID: UInt64?
    let kind: SpanKind
    let start: UInt64
    // A pthread mutex (`Locked`), not `Synchronization.Mutex`: ThreadSanitizer cannot see a
    // futex, and reported every access it guarded.
    private let state: Locked<State>
    private let exporter: OTLPExporter

    init(name: String, context: ServiceContext, traceContext: TraceContext, parentSpanID: UInt64?, kind: SpanKind, start: UInt64,
         exporter: OTLPExporter) {
        self.context = context
        self.traceContext = traceContext
        self.parentSpanID = parentSpanID
        self.kind = kind
        self.start = start
        self.exporter = exporter
        self.state = Locked(State(name: name))
    }

    public var operationName: String {
        get { state.withLock { $0.name } }
        set { state.withLock { $0.name = newValue } }
    }

    public var attributes: SpanAttributes {
        get { state.withLock { $0.attributes } }
        set { state.withLock { $0.attributes = newValue } }
    }

    public var isRecording: Bool { state.withLock { !$0.ended } }

    public func setStatus(_ status: SpanStatus) { state.withLock { $0.status = status } }

    public func addEvent(_ event: SpanEvent) {
        state.withLock { if $0.events.count < Self.limit { $0.events.append(event) } }
    }

    public func addLink(_ link: SpanLink) {
        state.withLock { if $0.links.count < Self.limit { $0.links.append(link) } }
    }

    public func recordError<Instant: TracerInstant>(_ error: any Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant) {
        var attributes = attributes
        attributes["exception.type"] = String(describing: type(of: error))
        attributes["exception.message"] = String(describing: error)
        addEvent(SpanEvent(name: "exception", at: instant(), attributes: attributes))
    }

    public func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        let end = instant().nanosecondsSinceEpoch
        guard let finished = state.withLock({ state -> State? in
            guard !state.ended else { return nil }
            state.ended = true
            return state
        }) else { return }
        exporter.add(FinishedSpan(name: finished.name, context: traceContext, parentSpanID: parentSpanID, kind: kind, start: start, end: end,
                                  attributes: finished.attributes, events: finished.events, links: finished.links, status: finished.status))
    }
}

import Tracing
import WorkflowConcurrency

/// A span of ``OTLPTracer``: recorded until it ends, then handed to the exporter. A reference
/// (as `Span` requires): every copy adds to the same span.
///
/// Ending a span only marks it and queues the reference: copying what it holds into what the
/// exporter encodes (``finished``), and freeing it, happen on the exporter's task, not on the
/// path of the call or run that made it.
public final class OTLPSpan: Span {
    private struct State {
        var name: String
        var attributes: SpanAttributes = [:]
        var events: [SpanEvent] = []
        var links: [SpanLink] = []
        var status: SpanStatus?
        var end: UInt64?

        /// The attributes while the span records; once it ended, a change goes nowhere.
        var recordingAttributes: SpanAttributes {
            get { attributes }
            _modify {
                if end == nil {
                    yield &attributes
                } else {
                    var ignored = SpanAttributes()
                    yield &ignored
                }
            }
        }
    }

    /// Attributes, events and links kept per span at most (more are dropped).
    static let limit = 128

    /// The context the span was started in; ``context`` is it with this span's trace context.
    private let parentContext: ServiceContext
    let traceContext: TraceContext
    let parentSpanID: UInt64?
    let kind: SpanKind
    let start: UInt64
    // A pthread mutex (`Locked`), not `Synchronization.Mutex`: ThreadSanitizer cannot see a
    // futex, and reported every access it guarded.
    private let state: Locked<State>
    private let exporter: OTLPExporter

    init(name: String, parentContext: ServiceContext, traceContext: TraceContext, parentSpanID: UInt64?, kind: SpanKind, start: UInt64,
         exporter: OTLPExporter) {
        self.parentContext = parentContext
        self.traceContext = traceContext
        self.parentSpanID = parentSpanID
        self.kind = kind
        self.start = start
        self.exporter = exporter
        self.state = Locked(State(name: name))
    }

    /// The context of whatever runs inside this span. Made when asked for: setting a value in a
    /// `ServiceContext` copies its storage (about 2,000 instructions), and many spans (a commit's,
    /// an edge's) are never asked.
    public var context: ServiceContext {
        var context = parentContext
        context.traceContext = traceContext
        return context
    }

    public var operationName: String {
        get { state.withLock { $0.name } }
        set { state.withLock { if $0.end == nil { $0.name = newValue } } }
    }

    public var attributes: SpanAttributes {
        get { state.withLock { $0.attributes } }
        set { state.withLock { if $0.end == nil { $0.attributes = newValue } } }
        // `span.attributes["key"] = value` changes the span's own attributes in place: through a
        // getter and a setter, it copied them all (the span still held them) for each one set.
        _modify { yield &state.locked.recordingAttributes }
    }

    public var isRecording: Bool { state.withLock { $0.end == nil } }

    public func setStatus(_ status: SpanStatus) { state.withLock { if $0.end == nil { $0.status = status } } }

    public func addEvent(_ event: SpanEvent) {
        state.withLock { if $0.end == nil, $0.events.count < Self.limit { $0.events.append(event) } }
    }

    public func addLink(_ link: SpanLink) {
        state.withLock { if $0.end == nil, $0.links.count < Self.limit { $0.links.append(link) } }
    }

    public func recordError<Instant: TracerInstant>(_ error: any Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant) {
        var attributes = attributes
        attributes["exception.type"] = String(describing: type(of: error))
        attributes["exception.message"] = String(describing: error)
        addEvent(SpanEvent(name: "exception", at: instant(), attributes: attributes))
    }

    public func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        let end = instant().nanosecondsSinceEpoch
        let first = state.withLock { state -> Bool in
            guard state.end == nil else { return false }
            state.end = end
            return true
        }
        if first { exporter.add(self) }
    }

    /// What the span held when it ended, for the exporter; nil while it has not ended.
    var finished: FinishedSpan? {
        state.withLock { state in
            guard let end = state.end else { return nil }
            return FinishedSpan(name: state.name, context: traceContext, parentSpanID: parentSpanID, kind: kind, start: start, end: end,
                                attributes: state.attributes, events: state.events, links: state.links, status: state.status)
        }
    }
}

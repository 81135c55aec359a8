import Logging
import Tracing

/// The trace ids of whatever a log entry is written in: a metadata provider that adds
/// `trace.id` and `span.id` (`TRACE_ID=` and `SPAN_ID=` in the journal) to every entry written
/// while a span is the task's current one (a traced call, a run and its steps), and nothing to
/// the others. Installed with the logging system, so that every logger has it, the engine's too.
public enum TraceLogMetadata {
    /// The provider (the ids are formatted only when an entry is written).
    public static let provider = Logger.MetadataProvider {
        guard let trace = ServiceContext.current?.traceContext else { return [:] }
        return ["trace.id": .stringConvertible(trace.traceIDText), "span.id": .stringConvertible(trace.spanIDText)]
    }
}

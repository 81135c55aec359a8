import Tracing

/// The span of one store transaction (`store.commit`), recorded once it is over: a child of the
/// span of whoever wrote it (the superstep or the call whose commit led the group), with how many
/// instances' batches it carried.
enum CommitSpan {
    static func record(instances: Int, duration: Duration, tracer: any Tracer) {
        let end = DefaultTracerClock.now
        let (seconds, attoseconds) = duration.components
        let nanoseconds = UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds)) / 1_000_000_000
        let start = DefaultTracerClock.Timestamp(nanosecondsSinceEpoch: end.nanosecondsSinceEpoch - min(nanoseconds, end.nanosecondsSinceEpoch))
        let span = tracer.startSpan("store.commit", context: ServiceContext.current ?? .topLevel, ofKind: .client, at: start,
                                       function: #function, file: #fileID, line: #line)
        span.attributes = ["db.operation.batch.size": .int64(Int64(instances)), "db.operation.name": "commit"]
        span.end(at: end)
    }
}

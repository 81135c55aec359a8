import Tracing

extension Tracer {
    /// Runs `body` in a new span named `name`, a child of `context`'s span (by default the task's
    /// current one), with these
    /// attributes; the span is the current one while `body` runs, and ends when it returns. A
    /// thrown error is recorded on the span and rethrown.
    ///
    /// What swift-distributed-tracing's `withSpan` does, for a tracer held in a configuration
    /// rather than looked up in `InstrumentationSystem` (two dynamic casts per span), in the
    /// caller's isolation (an actor's supersteps do not hop off the actor and back), and with the
    /// attributes set at once (one copy, not one per attribute).
    ///
    /// - Parameters:
    ///   - name: The span's name (`workflow.run`).
    ///   - context: Where the span's parent is, if not the task's current context.
    ///   - kind: The span's kind.
    ///   - attributes: The span's attributes as it starts.
    ///   - isolation: The caller's isolation, which `body` keeps.
    ///   - body: The work the span measures; it may add to the span.
    /// - Returns: What `body` returns.
    @inlinable @inline(__always)
    public func inSpan<T>(_ name: String, context: ServiceContext? = nil, ofKind kind: SpanKind = .internal, attributes: SpanAttributes = [:],
                          isolation: isolated (any Actor)? = #isolation,
                          _ body: (any Tracing.Span) async throws -> T) async rethrows -> T {
        let span = startSpan(name, context: context ?? ServiceContext.current ?? .topLevel, ofKind: kind, at: DefaultTracerClock.now,
                                function: #function, file: #fileID, line: #line)
        if !attributes.isEmpty { span.attributes = attributes }
        defer { span.end() }
        do {
            return try await ServiceContext.$current.withValue(span.context) {
                // The closure names `isolation`, and so runs in it (SE-0420). Without that it was
                // nonisolated: each span hopped to the task's executor on the way into `body`,
                // back to the actor inside it, and both again on the way out (four more jobs
                // per span, 12 a traced run, counted under callgrind).
                _ = isolation
                return try await body(span)
            }
        } catch {
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error))
            throw error
        }
    }
}

import Tracing

extension WorkflowInstance {
    /// W3C Trace Context in a dictionary: how a run's trace is kept in its checkpoints.
    private struct TraceCarrier: Injector, Extractor {
        func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) { carrier[key] = value }
        func extract(key: String, from carrier: [String: String]) -> String? { carrier[key] }
    }

    /// Starts run `runID`'s span (`workflow.run`) as the run begins: a child of the task's current
    /// span (the call that started it, a response's, a schedule's fire), or, for a run resumed
    /// after a restart, of the span its checkpoint recorded, so that it goes on in the same
    /// trace. The span's context is kept in the instance state and so in the checkpoints. Without
    /// a tracer, the state keeps no trace (none stale from an earlier run either).
    func startRunSpan(_ runID: String, resuming trace: [String: String]? = nil) {
        runSpan?.end()
        runSpan = nil
        state.runTrace = [:]
        guard let tracer = configuration.tracer else { return }
        var parent = ServiceContext.current ?? .topLevel
        if let trace, !trace.isEmpty {
            parent = .topLevel
            tracer.extract(trace, into: &parent, using: TraceCarrier())
        }
        let span = tracer.startSpan("workflow.run", context: parent, ofKind: .internal, at: DefaultTracerClock.now,
                                    function: #function, file: #fileID, line: #line)
        // Room for what the run's end adds (status, supersteps): set in place then, not grown.
        var attributes = SpanAttributes()
        attributes.reserveCapacity(6)
        attributes.set("workflow.name", value: .string(workflow.name))
        attributes.set("workflow.instance", value: .string(name))
        attributes.set("workflow.run.id", value: .string(runID))
        if trace != nil { attributes.set("workflow.run.resumed", value: true) }
        span.attributes = attributes
        tracer.inject(span.context, into: &state.runTrace, using: TraceCarrier())
        runSpan = span
    }

    /// Ends the active run's span with how the run ended.
    func endRunSpan(_ result: RunResult) {
        guard let span = runSpan else { return }
        runSpan = nil
        span.attributes["workflow.run.status"] = result.status.rawValue
        span.attributes["workflow.run.supersteps"] = result.supersteps
        if let error = result.error, result.status == .failed { span.setStatus(SpanStatus(code: .error, message: error.message)) }
        span.end()
    }

    /// Ends the span of a run that could not begin (its start was not committed).
    func abandonRunSpan(_ error: any Error) {
        guard let span = runSpan else { return }
        runSpan = nil
        span.recordError(error)
        span.setStatus(SpanStatus(code: .error, message: "the run could not begin"))
        span.end()
    }

    /// Links the active run's span to the task's current span (a `request.respond` call's): the
    /// response it accepted is delivered in that run, which is not the call's child.
    func linkRunSpan(toResponse requestID: String) {
        guard let span = runSpan, let current = ServiceContext.current else { return }
        span.addLink(SpanLink(context: current, attributes: ["workflow.request.id": .string(requestID)]))
    }

    /// Routes a message as ``EdgeRouter`` does, in Agent Framework's spans: `message.send` for the
    /// message (where from, where to), and under it an `edge_group.process` for each edge it
    /// met, saying whether that edge delivered it and, if not, why.
    ///
    /// Neither span becomes the current one: nothing runs inside them that could make spans of
    /// its own, and binding the task's context costs more than the span.
    func tracedRoute(_ message: ExecutorContext.Outgoing, from source: Int, superstep: Int, state: JSONObject, tracer: any Tracer,
                     inFlight: inout [PendingMessage], fanIn: inout [Int: [[JSON]]], warnings: inout [EdgeRouter.Warning]) {
        let start = DefaultTracerClock.now
        let send = tracer.startSpan("message.send", context: ServiceContext.current ?? .topLevel, ofKind: .producer, at: start,
                                       function: #function, file: #fileID, line: #line)
        let before = inFlight.count
        var deliveries: [(edge: Int, delivery: EdgeRouter.Delivery)] = []
        EdgeRouter.route(message, from: source, in: workflow, state: state, inFlight: &inFlight, fanIn: &fanIn, warnings: &warnings,
                         report: { deliveries.append(($0, $1)) })
        let end = DefaultTracerClock.now
        let sourceID = workflow.executorIDs[source]
        lazy var sendContext = send.context  // made once, and only if an edge was met
        for (edgeIndex, delivery) in deliveries {
            let edge = workflow.edges[edgeIndex]
            let span = tracer.startSpan("edge_group.process", context: sendContext, ofKind: .internal, at: start,
                                           function: #function, file: #fileID, line: #line)
            span.attributes = [
                "edge_group.type": .string(Self.edgeGroupType(edge)), "edge_group.id": .string(edge.id),
                "message.source_id": .string(sourceID),
                "message.target_id": .stringArray(workflow.edgeTargetIndices[edgeIndex].map { workflow.executorIDs[$0] }),
                "edge_group.delivered": .bool(delivery == .delivered), "edge_group.delivery_status": .string(delivery.rawValue),
            ]
            span.end(at: end)
        }
        send.attributes = [
            "message.source_id": .string(sourceID),
            "message.target_id": .stringArray(inFlight[before...].map { workflow.executorIDs[$0.target] }),
            "workflow.superstep": .int64(Int64(superstep)),
        ]
        send.end(at: end)
    }

    /// Agent Framework's name for the kind of edge group an edge is.
    static func edgeGroupType(_ edge: Edge) -> String {
        switch edge {
        case .direct: "SingleEdgeGroup"
        case .fanOut: "FanOutEdgeGroup"
        case .switchCase: "SwitchCaseEdgeGroup"
        case .fanIn: "FanInEdgeGroup"
        }
    }
}

import Logging
import Tracing
import WorkflowEngine
import WorkflowJSON
import WorkflowProtocol
import WorkflowStore
import WorkflowTelemetry

/// Method name → handler. Params are decoded into the method's types (bad params keep the
/// request's id), results encoded from them; an error reaches the client only if it opts in
/// (``RPCErrorConvertible``), any other is logged and becomes an internal error.
struct Dispatcher: Sendable {
    /// What a handler answers: a result, and possibly work to go on with once the answer is sent
    /// (a subscription's events, which must follow its answer).
    struct Outcome: Sendable {
        var result: JSON
        var then: (@Sendable () async -> Void)?
    }

    typealias Handler = @Sendable (JSON?, RequestContext) async throws -> Outcome

    private(set) var handlers: [String: Handler] = [:]
    /// Methods whose answer is followed by more on the same connection (a subscription's
    /// events): they cannot be passed to another host.
    private(set) var streaming: Set<String> = []
    /// How many hosts a request may pass through (an instance that moves on while a request
    /// chases it).
    static let maxHops = 3

    /// Methods answered in every phase of the daemon (an operator watches a stop through them).
    static let alwaysServed: Set<String> = [DaemonMethods.Ping.name, DaemonMethods.Status.name, DaemonMethods.Metrics.name]

    /// The methods served (the OpenRPC document must list exactly these).
    var methods: [String] { handlers.keys.sorted() }

    mutating func register<M: RPCMethod>(_ method: M.Type, _ body: @escaping @Sendable (M.Params, RequestContext) async throws -> M.Result) {
        handlers[M.name] = { params, context in
            let decoded = try M.decode(params)
            return Outcome(result: try M.encode(try await body(decoded, context)))
        }
    }

    /// A method that is one ``InstanceService`` operation on behalf of the connection's peer
    /// (`InstanceService.create`, say: the operation, not yet applied to a service).
    mutating func register<M: RPCMethod>(_ method: M.Type,
                                         serving operation: @escaping @Sendable (InstanceService) -> (M.Params, Peer) async throws -> M.Result) {
        register(method) { params, context in try await operation(context.instances)(params, context.peer) }
    }

    /// A method whose answer is followed by more work (its `then`).
    mutating func register<M: RPCMethod>(_ method: M.Type,
                                         then body: @escaping @Sendable (M.Params, RequestContext) async throws -> (M.Result, @Sendable () async -> Void)) {
        streaming.insert(M.name)
        handlers[M.name] = { params, context in
            let decoded = try M.decode(params)
            let (result, then) = try await body(decoded, context)
            return Outcome(result: try M.encode(result), then: then)
        }
    }

    /// Handles one message: the answer to send (nil for a notification or a response), and what
    /// to do after sending it.
    func handle(_ message: RPCIncoming, daemon: DaemonContext, connection: ConnectionContext) async -> (answer: JSON?, then: (@Sendable () async -> Void)?) {
        switch message {
        case .invalid(let id, let error):
            return (RPCOutgoing.error(id: id, error), nil)
        case .response:
            return (nil, nil)  // the daemon sends no requests: a response answers nothing
        case .notification(let method, let params):
            _ = await call(method, params, daemon: daemon, connection: connection)
            return (nil, nil)
        case .request(let id, let method, let params):
            switch await call(method, params, daemon: daemon, connection: connection) {
            case .success(let outcome): return (RPCOutgoing.result(id: id, outcome.result), outcome.then)
            case .failure(let error): return (RPCOutgoing.error(id: id, error), nil)
            }
        }
    }

    /// Applies a request another host passed on for an instance this one owns, with the rights
    /// of the peer that asked there; its answer as a JSON-RPC `{"result"}` or `{"error"}`.
    func apply(_ command: StoredCommand, daemon: DaemonContext) async -> JSON {
        let outcome: Result<Outcome, RPCError>
        if streaming.contains(command.method) {
            outcome = .failure(RPCError(.invalidRequest, "'\(command.method)' cannot be passed to another host"))
        } else {
            let peer = Peer(pid: command.pid, uid: command.uid, gid: command.gid)
            let connection = ConnectionContext(id: -1, peer: peer, writer: ConnectionWriter(limit: 1 << 16, budget: daemon.queueBudget))
            outcome = await call(command.method, command.params, daemon: daemon, connection: connection, hops: command.hops)
        }
        switch outcome {
        case .success(let done): return ["result": done.result]
        case .failure(let error): return ["error": error.json]
        }
    }

    /// Calls a method's handler, and counts the call by method and outcome (a method the daemon
    /// does not serve is not counted: its name could be anything).
    private func call(_ method: String, _ params: JSON?, daemon: DaemonContext, connection: ConnectionContext,
                      hops: Int = 0) async -> Result<Outcome, RPCError> {
        guard let handler = handlers[method] else { return .failure(.methodNotFound(method)) }
        let clock = ContinuousClock()
        let began = clock.now
        let outcome: Result<Outcome, RPCError>
        if let tracer = daemon.configuration.tracer {
            outcome = await traced(method, handler, params, tracer: tracer, daemon: daemon, connection: connection, hops: hops)
        } else {
            outcome = await call(method, handler, params, daemon: daemon, connection: connection, hops: hops)
        }
        switch outcome {
        case .success: daemon.metrics.called(method, code: 0, duration: clock.now - began)
        case .failure(let error): daemon.metrics.called(method, code: error.code.rawValue, duration: clock.now - began)
        }
        return outcome
    }

    /// A call in a span of its own (`rpc.system` jsonrpc, `rpc.method`), child of the caller's
    /// span when the params carry its `traceparent`: what the call starts (a run, its
    /// supersteps, the steps' programs) belongs to the caller's trace.
    private func traced(_ method: String, _ handler: Handler, _ params: JSON?, tracer: any Tracer, daemon: DaemonContext,
                        connection: ConnectionContext, hops: Int) async -> Result<Outcome, RPCError> {
        var context = ServiceContext.current ?? .topLevel
        if let text = params?["traceparent"]?.stringValue {
            guard let parent = TraceContext(traceparent: text) else {
                return .failure(.invalidParams("params.traceparent: '\(text.prefix(80))' is not a W3C traceparent (00-<32 hex digits>-<16 hex digits>-<2 hex digits>, lower case, ids not all zero)",
                                               path: "params.traceparent"))
            }
            context.traceContext = parent
        }
        // Made at their final size: a fourth attribute added to a literal of three grew and
        // rehashed the dictionary, in every call.
        var attributes = SpanAttributes()
        attributes.reserveCapacity(6)
        attributes.set("rpc.system", value: "jsonrpc")
        attributes.set("rpc.method", value: .string(method))
        attributes.set("rpc.jsonrpc.version", value: "2.0")
        if let instance = params?["instance"]?.stringValue { attributes.set("workflow.instance", value: .string(instance)) }
        return await tracer.inSpan(method, context: context, ofKind: .server, attributes: attributes) { span in
            let outcome = await call(method, handler, params, daemon: daemon, connection: connection, hops: hops)
            if case .failure(let error) = outcome {
                span.attributes["rpc.jsonrpc.error_code"] = error.code.rawValue
                span.attributes["rpc.jsonrpc.error_message"] = error.message
                span.setStatus(SpanStatus(code: .error, message: error.message))
            }
            return outcome
        }
    }

    private func call(_ method: String, _ handler: Handler, _ params: JSON?, daemon: DaemonContext, connection: ConnectionContext,
                      hops: Int) async -> Result<Outcome, RPCError> {
        if !daemon.lifecycle.admits(method, alwaysServed: Self.alwaysServed) {
            return .failure(DaemonError.shuttingDown.rpcError)
        }
        var logger = daemon.logger
        logger[metadataKey: "rpc.method"] = "\(method)"
        logger[metadataKey: "peer.uid"] = "\(connection.peer.uid)"
        if let instance = params?["instance"]?.stringValue { logger[metadataKey: "instance"] = "\(instance)" }
        // In a traced call, its entries name the trace and the span (TRACE_ID=, SPAN_ID= in the
        // journal): the logging system's metadata provider adds them (TraceLogMetadata).
        logger.debug("request")
        do {
            return .success(try await handler(params, RequestContext(daemon: daemon, connection: connection, logger: logger)))
        } catch let error as any RPCErrorConvertible {
            let rpc = error.rpcError
            // Another host owns the instance: the request goes there, and its answer comes back.
            if rpc.code == .instanceElsewhere, let relay = daemon.relay, !streaming.contains(method), hops < Self.maxHops,
               let host = rpc.data?["host"]?.stringValue, let instance = rpc.data?["instance"]?.stringValue {
                logger.debug("passing the request to the host that owns the instance", metadata: ["host": "\(host)"])
                if let answer = await relay.forward(method, params, peer: connection.peer, instance: instance, to: host, hops: hops + 1) {
                    return answer.map { Outcome(result: $0) }
                }
                // That host died before answering: the instance is taken over, here if need be.
                return await call(method, handler, params, daemon: daemon, connection: connection, hops: hops + 1)
            }
            if rpc.code == .internalError { logger.error("request failed", metadata: ["error": "\(rpc.message)"]) }
            return .failure(rpc)
        } catch is CancellationError {
            return .failure(RPCError(.internalError, "the request was cancelled"))
        } catch {
            if let stored = StoreFailure.describe(error) {
                // The database's own complaint (a full disk, a read-only file) is for the client too.
                logger.error("request failed: the store could not do it", metadata: ["error": "\(error)"])
                return .failure(stored.rpcError)
            }
            logger.error("request failed with an unexpected error", metadata: ["error": "\(error)"])
            return .failure(RPCError(.internalError, "Internal error (the daemon's log says more)"))
        }
    }
}

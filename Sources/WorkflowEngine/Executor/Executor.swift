

/// A node of a workflow graph: it handles the messages delivered to it, one at a time, and acts
/// through its ``ExecutorContext`` (send, yield outputs, stage shared state, raise requests, emit
/// events).
///
/// Executors are values. Each instance gets its own executors from the factories registered with
/// ``WorkflowBuilder``, so nothing is shared between instances, and a superstep works on a copy:
/// if the superstep fails, the copy is dropped and the executor is as it was at the last boundary.
///
/// Executor state that must survive a restart goes through ``snapshot()`` / ``restore(from:)``
/// (JSON, so checkpoints stay inspectable). Reset builds a fresh executor from its factory.
public protocol Executor: Sendable {
    /// Handles one message delivered in the current superstep.
    mutating func handle(_ message: JSON, context: inout ExecutorContext) async throws

    /// Handles the accepted response to a request this executor raised. The default sends
    /// `{"requestId", "request", "response"}` on to the executor's outgoing edges.
    mutating func handleResponse(_ response: JSON, to request: WorkflowRequest, context: inout ExecutorContext) async throws

    /// Handles a wait this executor armed (``ExecutorContext/wait(for:until:signal:input:)``)
    /// that fired. The default sends ``WorkflowWake/message`` (`{reason, input, scheduledFor,
    /// firedAt, signal?}`) on to the executor's outgoing edges; for a request that timed out
    /// (the wait's ``WorkflowWait/requestID``), it fails the run saying so.
    mutating func handleWake(_ wake: WorkflowWake, context: inout ExecutorContext) async throws

    /// The executor's own state as JSON, for checkpoints. The default (`null`) suits stateless executors.
    func snapshot() throws -> JSON

    /// Restores the state that ``snapshot()`` produced. Called on a fresh executor from the factory.
    mutating func restore(from snapshot: JSON) throws

    /// Whether a superstep in which this executor is the only one with work may run it directly on
    /// the instance's actor (well under a microsecond) instead of in a child task (a few). Only an
    /// executor whose ``handle(_:context:)`` never waits (no I/O, no processes, no other
    /// workflows, no sleeping) should say `true`: an inline call cannot be cancelled midway, and
    /// its events are published at the superstep's end. The default is `false`; both paths have
    /// the same semantics.
    var runsInline: Bool { get }

    /// Releases what the executor holds outside the engine (a worker process). Called when its
    /// instance resets, rewinds, forks away from it, or shuts down. The default does nothing.
    func shutdown() async
}

extension Executor {
    public mutating func handleResponse(_ response: JSON, to request: WorkflowRequest, context: inout ExecutorContext) async throws {
        context.send(["requestId": .string(request.id), "request": request.payload, "response": response])
    }

    public mutating func handleWake(_ wake: WorkflowWake, context: inout ExecutorContext) async throws {
        if let requestID = wake.wait.requestID {
            throw WorkflowError(.executorFailed, "request \(requestID) timed out at \(Timestamp.format(wake.wait.due ?? wake.firedAt)) without an answer",
                                details: ["requestId": .string(requestID)])
        }
        context.send(wake.message)
    }

    public func snapshot() throws -> JSON { .null }

    public mutating func restore(from snapshot: JSON) throws {}

    public var runsInline: Bool { false }

    public func shutdown() async {}
}

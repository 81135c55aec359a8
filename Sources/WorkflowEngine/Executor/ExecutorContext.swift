/// What an executor sees and does while it handles a message. Everything it does is staged and
/// takes effect at the superstep boundary: sent messages are delivered in the next superstep and
/// state writes become visible to everyone then (strict BSP: a reader sees the committed state
/// plus its own writes). Outputs, requests and custom events are announced at once.
public struct ExecutorContext: Sendable {
    /// A message sent during the superstep, with its optional target.
    struct Outgoing: Sendable {
        var payload: JSON
        var target: String?
    }

    /// What every executor of one superstep shares (one reference instead of several).
    final class Scope: Sendable {
        let instanceName: String
        let runID: String
        let superstep: Int
        let committedState: JSONObject
        let sink: EventSink
        let outputExecutors: Set<String>?

        init(instanceName: String, runID: String, superstep: Int, committedState: JSONObject, sink: EventSink,
             outputExecutors: Set<String>?) {
            self.instanceName = instanceName
            self.runID = runID
            self.superstep = superstep
            self.committedState = committedState
            self.sink = sink
            self.outputExecutors = outputExecutors
        }
    }

    /// The executor handling the message.
    public let executorID: String
    let scope: Scope
    var stagedState: [String: JSON?] = [:]
    var sent: [Outgoing] = []
    var outputs: [JSON] = []

    /// The instance's name.
    public var instanceName: String { scope.instanceName }
    /// The run this superstep belongs to.
    public var runID: String { scope.runID }
    /// The instance's superstep number (it continues across runs).
    public var superstep: Int { scope.superstep }

    var committedState: JSONObject { scope.committedState }
    var sink: EventSink { scope.sink }
    var isOutputExecutor: Bool { scope.outputExecutors?.contains(executorID) ?? true }

    init(executorID: String, scope: Scope) {
        self.executorID = executorID
        self.scope = scope
    }

    // MARK: State

    /// The value of shared-state `key`: this executor's own staged write if any, else the value
    /// committed at the last boundary.
    public func state(_ key: String) -> JSON? {
        if let staged = stagedState[key] { return staged }
        return committedState[key]
    }

    /// The whole shared state as this executor sees it (committed plus its own writes).
    public var state: JSONObject {
        guard !stagedState.isEmpty else { return committedState }
        var merged = committedState
        for (key, value) in stagedState { merged[key] = value }
        return merged
    }

    /// Stages a write of shared-state `key`, visible to others from the next superstep. When
    /// several executors write one key in a superstep, the one with the greatest id wins.
    public mutating func setState(_ key: String, _ value: JSON) {
        stagedState[key] = .some(value)
    }

    /// Stages the removal of shared-state `key`.
    public mutating func removeState(_ key: String) {
        stagedState[key] = .some(nil)
    }

    // MARK: Messages and outputs

    /// Sends `message` along this executor's outgoing edges (only to `target` if given). It is
    /// delivered in the next superstep; if no edge accepts it, a `warning` event says so.
    public mutating func send(_ message: JSON, to target: String? = nil) {
        sent.append(Outgoing(payload: message, target: target))
    }

    /// Yields a workflow output: an `output` event now, and the value in the run's outputs. If the
    /// workflow designates output executors and this is not one, a `warning` says so instead.
    public mutating func yieldOutput(_ value: JSON) {
        guard isOutputExecutor else {
            sink.emit(runID: runID, .warning(executor: executorID, reason: "executor '\(executorID)' yielded an output but is not one of the workflow's outputs", valueType: value.typeName))
            return
        }
        outputs.append(value)
        sink.emit(runID: runID, .output(executor: executorID, value: value))
    }

    // MARK: Requests and events

    /// Raises a human-in-the-loop request and announces it with a `request` event. The response
    /// (checked against `schema` before it is accepted) comes back through
    /// ``Executor/handleResponse(_:to:context:)`` in a later superstep.
    /// - Returns: the request's id (`id` if given, else a new one).
    @discardableResult
    public mutating func requestInfo(_ payload: JSON, schema: JSON = true, id: String? = nil) -> String {
        let request = WorkflowRequest(id: id ?? Identifier.make("q"), executor: executorID, payload: payload, schema: schema,
                                      runID: runID, superstep: superstep, time: Timestamp.now())
        sink.emit(runID: runID, .request(request))
        return request.id
    }

    /// Emits a custom event (`type: custom`) with a name and data.
    public func emit(_ name: String, data: JSON = .null) {
        sink.emit(runID: runID, .custom(executor: executorID, name: name, data: data))
    }

    /// Emits a `warning` event attributed to this executor.
    public func warn(_ reason: String) {
        sink.emit(runID: runID, .warning(executor: executorID, reason: reason, valueType: nil))
    }
}

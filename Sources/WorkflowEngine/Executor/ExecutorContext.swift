/// What an executor sees and does while it handles a message. Everything it does is staged and
/// takes effect at the superstep boundary: sent messages are delivered in the next superstep and
/// state writes become visible to everyone then (strict BSP: a reader sees the committed state
/// plus its own writes). Outputs, requests and custom events are announced at once. A context
/// belongs to its superstep: kept beyond it (in a task of its own), it can no longer act.
public struct ExecutorContext: Sendable {
    /// A message sent during the superstep, with its optional target.
    struct Outgoing: Sendable {
        var payload: JSON
        var target: String?
    }

    /// What every executor of one superstep shares (one reference instead of several). Its
    /// `scopeID` names the superstep's scope in the sink: once the superstep is over (or failed,
    /// or was cancelled), nothing emitted through it lands.
    final class Scope: Sendable {
        let instanceName: String
        let runID: String
        let superstep: Int
        let committedState: JSONObject
        let sink: EventSink
        let scopeID: UInt64
        let outputExecutors: Set<String>?
        /// The time of every event of an inline superstep (it lasts microseconds; times are kept
        /// to the millisecond): one clock read per superstep instead of one per event. Nil for a
        /// concurrent superstep, whose events are stamped as they happen.
        let time: Double?
        /// Requests whose responses are among this superstep's messages. A superstep that runs
        /// again (recovery resumes the interrupted one) raises its requests again with the same
        /// ids; one already answered is not raised twice.
        let answered: Set<String>
        /// Where waits read the time.
        let clock: any WorkflowClock

        init(instanceName: String, runID: String, superstep: Int, committedState: JSONObject, sink: EventSink,
             scopeID: UInt64, outputExecutors: Set<String>?, time: Double? = nil, answered: Set<String> = [],
             clock: any WorkflowClock = SystemClock()) {
            self.instanceName = instanceName
            self.runID = runID
            self.superstep = superstep
            self.committedState = committedState
            self.sink = sink
            self.scopeID = scopeID
            self.outputExecutors = outputExecutors
            self.time = time
            self.answered = answered
            self.clock = clock
        }

        /// Emits an event if the superstep is still going on.
        @discardableResult
        func emit(_ body: WorkflowEvent.Body) -> Bool {
            sink.emit(inScope: scopeID, runID: runID, body, time: time)
        }
    }

    /// The executor handling the message.
    public let executorID: String
    let scope: Scope
    var stagedState: [String: JSON?] = [:]
    var sent: [Outgoing] = []
    var outputs: [JSON] = []
    /// Requests raised so far in this superstep (it makes their ids).
    var requestsRaised = 0
    /// Waits armed in this superstep: they take effect at its boundary.
    var armed: [WorkflowWait] = []
    /// Which try of this message this is: 1, or more when the executor's retry policy tries a
    /// failed invocation again.
    public internal(set) var attempt = 1
    /// Who sent the message being handled: an executor's id, or `input` for a run's input (nil
    /// for a response or a wake). An `llm` step tells its tools' answers from new work by it.
    public internal(set) var source: String?

    /// The instance's name.
    public var instanceName: String { scope.instanceName }
    /// The run this superstep belongs to.
    public var runID: String { scope.runID }
    /// The instance's superstep number (it continues across runs).
    public var superstep: Int { scope.superstep }

    var committedState: JSONObject { scope.committedState }
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
            scope.emit(.warning(executor: executorID, reason: "executor '\(executorID)' yielded an output but is not one of the workflow's outputs", valueType: value.typeName))
            return
        }
        if scope.emit(.output(executor: executorID, value: value)) { outputs.append(value) }
    }

    // MARK: Requests and events

    /// Raises a human-in-the-loop request and announces it with a `request` event. The response
    /// (checked against `schema` before it is accepted) comes back through
    /// ``Executor/handleResponse(_:to:context:)`` in a later superstep.
    ///
    /// Without an `id`, the id is derived from the run, the superstep, the executor and how many
    /// requests it raised before in this superstep: a superstep that runs again after a crash
    /// asks the same question under the same id, and one that was already answered is not asked
    /// again.
    ///
    /// With a `timeout` (seconds), the request closes unanswered when it passes
    /// (`request_timed_out`), and the executor decides for the person: its
    /// ``Executor/handleWake(_:context:)`` gets a wake whose wait names the request (the default
    /// fails the run). An answer after that is refused, saying when the request timed out.
    /// - Returns: the request's id.
    @discardableResult
    public mutating func requestInfo(_ payload: JSON, schema: JSON = true, id: String? = nil, timeout: Double? = nil) -> String {
        requestsRaised += 1
        let requestID = id ?? Identifier.derived("q", from: SHA256.digest(Array("\(runID)/\(superstep)/\(executorID)/\(requestsRaised)".utf8)))
        if scope.answered.contains(requestID) { return requestID }
        let now = scope.clock.now()
        let expiresAt = timeout.map { now + max(0, $0) }
        let request = WorkflowRequest(id: requestID, executor: executorID, payload: payload, schema: schema,
                                      runID: runID, superstep: superstep, time: now, expiresAt: expiresAt)
        if let expiresAt {
            armed.append(WorkflowWait(id: "t" + requestID, executor: executorID, runID: runID, superstep: superstep, input: payload,
                                      due: expiresAt, timeReason: .for, signal: nil, armedAt: now, requestID: requestID))
        }
        scope.emit(.request(request))
        return request.id
    }

    // MARK: Waits

    /// Arms a wait: the executor is woken (``Executor/handleWake(_:context:)``, whose default
    /// sends the wake's message on) when `seconds` have passed, when the time `until` comes
    /// (seconds since 1970), or when a signal named `signal` arrives, whichever is first. A
    /// signal that came before the wait is taken at once. The wait takes effect at the
    /// superstep's boundary (a failed superstep arms nothing) and is instance state from then
    /// on: checkpointed, and reset, rewound and forked with the rest. A run that ends with waits
    /// armed and no request open ends `waiting`.
    ///
    /// Like a request's, the wait's id is derived from the run, the superstep, the executor and
    /// how many it armed before in this superstep, so a superstep that runs again arms the same.
    /// - Parameters:
    ///   - seconds: how long to wait (`for`), from now.
    ///   - until: a time to wait until, in seconds since 1970 (the earlier of this and `seconds`
    ///     wins).
    ///   - signal: the name of a signal that ends the wait (``WorkflowInstance/signal(_:payload:)``).
    ///   - input: what the wake carries on (the message being handled, usually).
    /// - Returns: the wait's id.
    /// - Throws: `invalidGraph` when the wait has neither a time nor a signal, or a duration
    ///   that is negative or not a number.
    @discardableResult
    public mutating func wait(for seconds: Double? = nil, until: Double? = nil, signal: String? = nil, input: JSON) throws -> String {
        if let seconds, !(seconds.isFinite && seconds >= 0) {
            throw WorkflowError(.invalidGraph, "executor '\(executorID)': a wait's duration must be a number of seconds, 0 or more (got \(seconds))")
        }
        if let until, !until.isFinite {
            throw WorkflowError(.invalidGraph, "executor '\(executorID)': a wait's time must be a finite time")
        }
        if let signal, signal.isEmpty {
            throw WorkflowError(.invalidGraph, "executor '\(executorID)': a wait's signal name must not be empty")
        }
        guard seconds != nil || until != nil || signal != nil else {
            throw WorkflowError(.invalidGraph, "executor '\(executorID)': a wait needs a duration (for), a time (until) or a signal")
        }
        let now = scope.clock.now()
        // Both a duration and a time: the first to come.
        var due: Double?
        var reason: WorkflowWake.Reason?
        if let seconds {
            due = now + seconds
            reason = .for
        }
        if let until, due.map({ until < $0 }) ?? true {
            due = until
            reason = .until
        }
        let number = requestsRaised + armed.count + 1
        let id = Identifier.derived("w", from: SHA256.digest(Array("\(runID)/\(superstep)/\(executorID)/wait/\(number)".utf8)))
        armed.append(WorkflowWait(id: id, executor: executorID, runID: runID, superstep: superstep, input: input, due: due,
                                  timeReason: reason, signal: signal, armedAt: now))
        return id
    }

    /// Emits a custom event (`type: custom`) with a name and data.
    public func emit(_ name: String, data: JSON = .null) {
        scope.emit(.custom(executor: executorID, name: name, data: data))
    }

    /// Emits an `llm_message` event: a model's answer (`model`, `content`, `toolCalls?`,
    /// `usage`, `finishReason?`, `round`), logged like every event.
    public func recordModelMessage(_ message: JSONObject) {
        scope.emit(.llmMessage(executor: executorID, message: message))
    }

    /// Streams text a model is producing to live subscribers as an `llm_delta` event, which is
    /// not logged: a client that reconnects gets the `llm_message` with the whole answer instead.
    public func streamModelText(_ content: String) {
        scope.sink.emitLive(inScope: scope.scopeID, runID: scope.runID, .llmDelta(executor: executorID, content: content))
    }

    /// Emits a `warning` event attributed to this executor.
    public func warn(_ reason: String) {
        scope.emit(.warning(executor: executorID, reason: reason, valueType: nil))
    }

    /// Arms the wait before a retry that is too far off to sleep in the superstep: when it
    /// fires, the executor gets `input` (a response to `request`, if set) again as try `attempt`.
    mutating func armRetry(_ input: JSON, request: WorkflowRequest?, attempt: Int, after delay: Double) {
        let now = scope.clock.now()
        let number = requestsRaised + armed.count + 1
        let id = Identifier.derived("w", from: SHA256.digest(Array("\(runID)/\(superstep)/\(executorID)/retry/\(number)".utf8)))
        var wait = WorkflowWait(id: id, executor: executorID, runID: runID, superstep: superstep, input: input, due: now + delay,
                                timeReason: .for, signal: nil, armedAt: now)
        wait.retry = WorkflowWait.Retry(attempt: attempt, request: request)
        armed.append(wait)
    }
}

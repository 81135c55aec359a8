/// A wait an executor armed (``ExecutorContext/wait(for:until:signal:input:)``): it fires when
/// its time comes or when a signal of its name arrives, whichever is first, and the executor
/// gets a ``WorkflowWake`` in a later superstep. Waits are instance state: checkpointed, and
/// reset, rewound and forked with the rest.
public struct WorkflowWait: Sendable, Hashable {
    /// Unique within the instance.
    public var id: String
    /// The executor that armed it and that is woken.
    public var executor: String
    /// The run that armed it.
    public var runID: String
    /// The instance superstep in which it was armed.
    public var superstep: Int
    /// The message the executor was handling: it goes on in the wake.
    public var input: JSON
    /// When it is due (seconds since 1970); nil for a wait on a signal only.
    public var due: Double?
    /// Whether its time came from a duration (`for`) or from a time of day (`until`).
    public var timeReason: WorkflowWake.Reason?
    /// The signal that wakes it; nil for a wait on time only.
    public var signal: String?
    /// When it was armed (seconds since 1970).
    public var armedAt: Double
    /// The request whose timeout this wait is: it goes when the request is answered, and when
    /// it fires the request closes unanswered (`request_timed_out`).
    public var requestID: String?
    /// Set for the wait before a retry (a delay over a second): the try it starts, and the
    /// request whose response is delivered again, if the failed message was one. When it fires,
    /// its executor gets ``input`` again, not a wake.
    public var retry: Retry?

    /// What a retry's wait delivers again.
    public struct Retry: Sendable, Hashable {
        /// The try the wait starts (2 for the first retry).
        public var attempt: Int
        /// The request whose response failed, if the failed message was a response.
        public var request: WorkflowRequest?

        /// Makes one.
        /// - Parameters:
        ///   - attempt: The try the wait starts.
        ///   - request: The request whose response is delivered again.
        public init(attempt: Int, request: WorkflowRequest?) {
            self.attempt = attempt
            self.request = request
        }
    }

    /// Makes a wait (an executor arms its own through ``ExecutorContext``; a store reads them back).
    public init(id: String, executor: String, runID: String, superstep: Int, input: JSON, due: Double?,
                timeReason: WorkflowWake.Reason?, signal: String?, armedAt: Double, requestID: String? = nil) {
        self.id = id
        self.executor = executor
        self.runID = runID
        self.superstep = superstep
        self.input = input
        self.due = due
        self.timeReason = timeReason
        self.signal = signal
        self.armedAt = armedAt
        self.requestID = requestID
    }
}

extension WorkflowWait: JSONRepresentable {
    public var json: JSON {
        var object: JSONObject = ["id": .string(id), "executor": .string(executor), "runId": .string(runID),
                                  "superstep": .number(Double(superstep)), "input": input, "armedAt": .string(Timestamp.format(armedAt))]
        if let due { object["due"] = .string(Timestamp.format(due)) }
        if let timeReason { object["timeReason"] = .string(timeReason.rawValue) }
        if let signal { object["signal"] = .string(signal) }
        if let requestID { object["requestId"] = .string(requestID) }
        if let retry {
            var detail: JSONObject = ["attempt": .number(Double(retry.attempt))]
            if let request = retry.request { detail["request"] = request.json }
            object["retry"] = .object(detail)
        }
        return .object(object)
    }

    public init(json: JSON) throws {
        let reader = try JSONReader(json, path: "wait")
        let due = try reader.optionalString("due").map { try Timestamp.parse($0, path: reader.field("due")) }
        let reason = try reader.optionalString("timeReason").map { text -> WorkflowWake.Reason in
            guard let reason = WorkflowWake.Reason(rawValue: text), reason != .signal else {
                throw WorkflowError(.invalidCheckpoint, "\(reader.field("timeReason")): '\(text)' is not 'for' or 'until'")
            }
            return reason
        }
        self.init(id: try reader.string("id"), executor: try reader.string("executor"), runID: try reader.string("runId"),
                  superstep: try reader.counter("superstep"), input: reader.object["input"] ?? .null, due: due,
                  timeReason: reason, signal: try reader.optionalString("signal"),
                  armedAt: try Timestamp.parse(try reader.string("armedAt"), path: reader.field("armedAt")),
                  requestID: try reader.optionalString("requestId"))
        if let detail = reader.object["retry"] {
            let retry = try JSONReader(detail, path: reader.field("retry"))
            self.retry = Retry(attempt: try retry.counter("attempt"), request: try retry.object["request"].map { try WorkflowRequest(json: $0) })
        }
    }
}

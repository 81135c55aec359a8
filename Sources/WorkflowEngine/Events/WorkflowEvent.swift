/// Something that happened on an instance. Every event has a per-instance `seq` (strictly
/// increasing, never reused), a time, the instance, the run where one applies, and a typed body.
/// Its JSON form is flat: `{"seq", "time", "instance", "runId", "type", ...fields}`.
public struct WorkflowEvent: Sendable, Hashable {
    /// Strictly increasing per instance, never reused.
    public var seq: UInt64
    /// Seconds since 1970.
    public var time: Double
    /// The instance it happened on.
    public var instance: String
    /// The run it belongs to, if one applies.
    public var runID: String?
    /// What happened.
    public var body: Body

    /// Makes an event (an instance makes its own; a store reads them back).
    public init(seq: UInt64, time: Double, instance: String, runID: String?, body: Body) {
        self.seq = seq
        self.time = time
        self.instance = instance
        self.runID = runID
        self.body = body
    }

    /// The event's type, as it appears in JSON.
    public var kind: Kind { body.kind }

    /// Whether the event goes to live subscribers only and is never written to the log (a
    /// model's streamed text). It carries the seq of the logged event it follows (`live: true`
    /// in JSON), so resuming after it misses nothing that was logged.
    public var isLive: Bool {
        if case .llmDelta = body { return true }
        return false
    }

    /// Event types (docs/semantics.md §3.6, plus `custom` for executor events and `instance_forked`).
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A run started.
        case runStarted = "run_started"
        /// The instance's status changed.
        case status
        /// A superstep started.
        case superstepStarted = "superstep_started"
        /// A superstep completed.
        case superstepCompleted = "superstep_completed"
        /// An executor was given a message.
        case executorInvoked = "executor_invoked"
        /// An executor finished with its message.
        case executorCompleted = "executor_completed"
        /// An executor failed.
        case executorFailed = "executor_failed"
        /// An executor yielded an output of the run.
        case output
        /// An executor asked a person (a request is open).
        case request
        /// A response to a request was accepted.
        case responseAccepted = "response_accepted"
        /// A checkpoint was written.
        case checkpointSaved = "checkpoint_saved"
        /// Something was not delivered or not evaluated.
        case warning
        /// A run failed.
        case runFailed = "run_failed"
        /// The instance was reset to a clean slate.
        case instanceReset = "instance_reset"
        /// The instance was rewound to a checkpoint.
        case instanceRewound = "instance_rewound"
        /// The instance was made as a fork of another.
        case instanceForked = "instance_forked"
        /// An interrupted run was resumed after a restart.
        case runRecovered = "run_recovered"
        /// An event an executor emitted itself.
        case custom
        /// A wait's time came (or passed while the daemon was down): when it was due, when it
        /// fired, how late.
        case timerFired = "timer_fired"
        /// A signal woke a wait.
        case signalReceived = "signal_received"
        /// A request's timeout passed without an answer: it is closed, and its executor decides.
        case requestTimedOut = "request_timed_out"
        /// An executor's invocation failed and its retry policy tries it again after a delay.
        case executorRetrying = "executor_retrying"
        /// A model's answer to an `llm` step (content, tool calls, usage): durable.
        case llmMessage = "llm_message"
        /// A piece of a model's answer as it streams: delivered to live subscribers only, never
        /// written to the log (``WorkflowEvent/isLive``).
        case llmDelta = "llm_delta"
    }

    /// What started a run.
    public enum Trigger: String, Sendable, Hashable {
        /// A caller's input (`run.start`).
        case input
        /// A response to a request of a run that had ended (it continues the instance's work).
        case response
        /// A rewind to a checkpoint with messages in flight.
        case rewind
        /// A run interrupted by a crash or a stop, resumed when its instance was loaded again.
        case recovery
        /// A wait's time came, and the run delivers the wake.
        case timer
        /// A signal woke a wait, and the run delivers the wake.
        case signal
        /// `retry`: the work a failed or cancelled run left, taken up again.
        case retry
        /// A schedule's fire (the run's idempotency key is `schedule:NAME:TIME`).
        case schedule

        /// What starts a run with idempotency key `key`: a schedule's fire when the key is
        /// `schedule:…` (a prefix only schedules may use), else an input.
        public static func forStart(idempotencyKey key: String?) -> Trigger {
            key?.hasPrefix("schedule:") == true ? .schedule : .input
        }
    }

    /// The type-specific part of an event.
    public enum Body: Sendable, Hashable {
        /// A run started: what started it, and its input.
        case runStarted(trigger: Trigger, input: JSON)
        /// The instance's status is now this.
        case status(InstanceStatus)
        /// Superstep `superstep` started.
        case superstepStarted(superstep: Int)
        /// Superstep `superstep` completed.
        case superstepCompleted(superstep: Int)
        /// `requestID` is set when the message is the response to that request.
        case executorInvoked(executor: String, superstep: Int, message: JSON, requestID: String? = nil)
        /// An executor finished with its message in a superstep.
        case executorCompleted(executor: String, superstep: Int)
        /// An executor failed in a superstep (the error's message).
        case executorFailed(executor: String, superstep: Int, error: String)
        /// An executor yielded a value as an output of the run.
        case output(executor: String, value: JSON)
        /// A request for a person was raised.
        indirect case request(WorkflowRequest)
        /// A response to a request was accepted (it waits for delivery).
        case responseAccepted(requestID: String, executor: String, response: JSON)
        /// A checkpoint was written at a superstep boundary.
        case checkpointSaved(checkpointID: String, superstep: Int)
        /// Something was not delivered or not evaluated; nothing is dropped silently.
        case warning(executor: String?, reason: String, valueType: String?)
        /// A run failed with this error.
        indirect case runFailed(error: WorkflowError)
        /// The instance was reset to a clean slate.
        case instanceReset
        /// The instance was rewound to a checkpoint.
        case instanceRewound(checkpointID: String)
        /// The instance was made from a checkpoint of another.
        case instanceForked(fromInstance: String, checkpointID: String)
        /// An interrupted run resumed from a checkpoint (nil: from its start).
        case runRecovered(checkpointID: String?)
        /// An executor's own event: its name and data.
        case custom(executor: String, name: String, data: JSON)
        /// A wait's time came: the executor that armed it, when it was due and when it fired.
        case timerFired(executor: String, waitID: String, scheduledFor: Double, firedAt: Double)
        /// A signal woke the wait of an executor.
        case signalReceived(name: String, executor: String, waitID: String)
        /// A request timed out unanswered (at `expiredAt`); its executor decides for the person.
        case requestTimedOut(requestID: String, executor: String, expiredAt: Double)
        /// Try `attempt` of `attempts` failed with `error`; the next comes after `delay` seconds
        /// (`durable`: as a wait that survives a restart, the delay being over a second).
        case executorRetrying(executor: String, superstep: Int, attempt: Int, attempts: Int, delay: Double, error: String, durable: Bool)
        /// A model answered an `llm` step: `message` holds `model`, `content`, `toolCalls?`,
        /// `usage: {promptTokens, completionTokens}`, `finishReason?` and `round`.
        case llmMessage(executor: String, message: JSONObject)
        /// Text the model is streaming (live only: not logged, no seq of its own).
        case llmDelta(executor: String, content: String)

        /// The event's type.
        public var kind: Kind {
            switch self {
            case .runStarted: .runStarted
            case .status: .status
            case .superstepStarted: .superstepStarted
            case .superstepCompleted: .superstepCompleted
            case .executorInvoked: .executorInvoked
            case .executorCompleted: .executorCompleted
            case .executorFailed: .executorFailed
            case .output: .output
            case .request: .request
            case .responseAccepted: .responseAccepted
            case .checkpointSaved: .checkpointSaved
            case .warning: .warning
            case .runFailed: .runFailed
            case .instanceReset: .instanceReset
            case .instanceRewound: .instanceRewound
            case .instanceForked: .instanceForked
            case .runRecovered: .runRecovered
            case .custom: .custom
            case .timerFired: .timerFired
            case .signalReceived: .signalReceived
            case .requestTimedOut: .requestTimedOut
            case .executorRetrying: .executorRetrying
            case .llmMessage: .llmMessage
            case .llmDelta: .llmDelta
            }
        }
    }
}

// MARK: - JSON

extension WorkflowEvent: JSONRepresentable {
    public var json: JSON {
        var object: JSONObject = [
            "seq": .number(Double(seq)), "time": .string(Timestamp.format(time)),
            "instance": .string(instance), "type": .string(kind.rawValue),
        ]
        if let runID { object["runId"] = .string(runID) }
        switch body {
        case .runStarted(let trigger, let input):
            object["trigger"] = .string(trigger.rawValue)
            object["input"] = input
        case .status(let status):
            object["status"] = .string(status.rawValue)
        case .superstepStarted(let superstep), .superstepCompleted(let superstep):
            object["superstep"] = .number(Double(superstep))
        case .executorInvoked(let executor, let superstep, let message, let requestID):
            object["executor"] = .string(executor)
            object["superstep"] = .number(Double(superstep))
            object["message"] = message
            if let requestID { object["requestId"] = .string(requestID) }
        case .executorCompleted(let executor, let superstep):
            object["executor"] = .string(executor)
            object["superstep"] = .number(Double(superstep))
        case .executorFailed(let executor, let superstep, let error):
            object["executor"] = .string(executor)
            object["superstep"] = .number(Double(superstep))
            object["error"] = .string(error)
        case .output(let executor, let value):
            object["executor"] = .string(executor)
            object["value"] = value
        case .request(let request):
            object["request"] = request.json
        case .responseAccepted(let requestID, let executor, let response):
            object["requestId"] = .string(requestID)
            object["executor"] = .string(executor)
            object["response"] = response
        case .checkpointSaved(let checkpointID, let superstep):
            object["checkpointId"] = .string(checkpointID)
            object["superstep"] = .number(Double(superstep))
        case .warning(let executor, let reason, let valueType):
            if let executor { object["executor"] = .string(executor) }
            object["reason"] = .string(reason)
            if let valueType { object["valueType"] = .string(valueType) }
        case .runFailed(let error):
            object["error"] = error.json
        case .instanceReset:
            break
        case .instanceRewound(let checkpointID):
            object["checkpointId"] = .string(checkpointID)
        case .instanceForked(let fromInstance, let checkpointID):
            object["fromInstance"] = .string(fromInstance)
            object["checkpointId"] = .string(checkpointID)
        case .runRecovered(let checkpointID):
            if let checkpointID { object["checkpointId"] = .string(checkpointID) }
        case .custom(let executor, let name, let data):
            object["executor"] = .string(executor)
            object["name"] = .string(name)
            object["data"] = data
        case .timerFired(let executor, let waitID, let scheduledFor, let firedAt):
            object["executor"] = .string(executor)
            object["waitId"] = .string(waitID)
            object["scheduledFor"] = .string(Timestamp.format(scheduledFor))
            object["firedAt"] = .string(Timestamp.format(firedAt))
            object["lateByMs"] = .number(max(0, ((firedAt - scheduledFor) * 1000).rounded()))
        case .signalReceived(let name, let executor, let waitID):
            object["name"] = .string(name)
            object["executor"] = .string(executor)
            object["waitId"] = .string(waitID)
        case .requestTimedOut(let requestID, let executor, let expiredAt):
            object["requestId"] = .string(requestID)
            object["executor"] = .string(executor)
            object["expiredAt"] = .string(Timestamp.format(expiredAt))
        case .executorRetrying(let executor, let superstep, let attempt, let attempts, let delay, let error, let durable):
            object["executor"] = .string(executor)
            object["superstep"] = .number(Double(superstep))
            object["attempt"] = .number(Double(attempt))
            object["attempts"] = .number(Double(attempts))
            object["delayMs"] = .number((delay * 1000).rounded())
            object["error"] = .string(error)
            object["durable"] = .bool(durable)
        case .llmMessage(let executor, let message):
            for (key, value) in message where object[key] == nil { object[key] = value }
            object["executor"] = .string(executor)
        case .llmDelta(let executor, let content):
            object["executor"] = .string(executor)
            object["content"] = .string(content)
            object["live"] = true
        }
        return .object(object)
    }

    public init(json: JSON) throws {
        let r = try JSONReader(json, path: "event")
        let typeName = try r.string("type")
        guard let kind = Kind(rawValue: typeName) else { throw JSONShapeError(path: r.field("type"), "unknown event type '\(typeName)'") }
        let body: Body
        switch kind {
        case .runStarted:
            let trigger = try r.string("trigger")
            guard let t = Trigger(rawValue: trigger) else { throw JSONShapeError(path: r.field("trigger"), "unknown trigger '\(trigger)'") }
            body = .runStarted(trigger: t, input: r.object["input"] ?? .null)
        case .status:
            let name = try r.string("status")
            guard let status = InstanceStatus(rawValue: name) else { throw JSONShapeError(path: r.field("status"), "unknown status '\(name)'") }
            body = .status(status)
        case .superstepStarted: body = .superstepStarted(superstep: try r.int("superstep"))
        case .superstepCompleted: body = .superstepCompleted(superstep: try r.int("superstep"))
        case .executorInvoked:
            body = .executorInvoked(executor: try r.string("executor"), superstep: try r.int("superstep"), message: r.object["message"] ?? .null,
                                    requestID: try r.optionalString("requestId"))
        case .executorCompleted: body = .executorCompleted(executor: try r.string("executor"), superstep: try r.int("superstep"))
        case .executorFailed:
            body = .executorFailed(executor: try r.string("executor"), superstep: try r.int("superstep"), error: try r.string("error"))
        case .output: body = .output(executor: try r.string("executor"), value: r.object["value"] ?? .null)
        case .request: body = .request(try WorkflowRequest(json: try r.value("request")))
        case .responseAccepted:
            body = .responseAccepted(requestID: try r.string("requestId"), executor: try r.string("executor"), response: r.object["response"] ?? .null)
        case .checkpointSaved: body = .checkpointSaved(checkpointID: try r.string("checkpointId"), superstep: try r.int("superstep"))
        case .warning:
            body = .warning(executor: try r.optionalString("executor"), reason: try r.string("reason"), valueType: try r.optionalString("valueType"))
        case .runFailed: body = .runFailed(error: try WorkflowError(json: try r.value("error")))
        case .instanceReset: body = .instanceReset
        case .instanceRewound: body = .instanceRewound(checkpointID: try r.string("checkpointId"))
        case .instanceForked: body = .instanceForked(fromInstance: try r.string("fromInstance"), checkpointID: try r.string("checkpointId"))
        case .runRecovered: body = .runRecovered(checkpointID: try r.optionalString("checkpointId"))
        case .custom: body = .custom(executor: try r.string("executor"), name: try r.string("name"), data: r.object["data"] ?? .null)
        case .timerFired:
            body = .timerFired(executor: try r.string("executor"), waitID: try r.string("waitId"),
                               scheduledFor: try Timestamp.parse(try r.string("scheduledFor"), path: r.field("scheduledFor")),
                               firedAt: try Timestamp.parse(try r.string("firedAt"), path: r.field("firedAt")))
        case .signalReceived: body = .signalReceived(name: try r.string("name"), executor: try r.string("executor"), waitID: try r.string("waitId"))
        case .requestTimedOut:
            body = .requestTimedOut(requestID: try r.string("requestId"), executor: try r.string("executor"),
                                    expiredAt: try Timestamp.parse(try r.string("expiredAt"), path: r.field("expiredAt")))
        case .executorRetrying:
            body = .executorRetrying(executor: try r.string("executor"), superstep: try r.int("superstep"), attempt: try r.int("attempt"),
                                     attempts: try r.int("attempts"), delay: Double(try r.int("delayMs")) / 1000, error: try r.string("error"),
                                     durable: r.object["durable"] == .bool(true))
        case .llmMessage:
            var message = r.object
            for key in ["seq", "time", "instance", "runId", "type", "executor"] { message[key] = nil }
            body = .llmMessage(executor: try r.string("executor"), message: message)
        case .llmDelta: body = .llmDelta(executor: try r.string("executor"), content: try r.string("content"))
        }
        self.init(seq: try r.uint64("seq"), time: try Timestamp.parse(try r.string("time"), path: r.field("time")),
                  instance: try r.string("instance"), runID: try r.optionalString("runId"), body: body)
    }
}

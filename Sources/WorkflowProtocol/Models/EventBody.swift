import WorkflowJSON

/// What an event says, by its type: the typed reading of an event's members that every client
/// of the protocol shares (the Swift client, wfctl). An event of a type this side does not know
/// (from a newer daemon) is ``unknown(type:)``, never an error.
public enum EventBody: Sendable, Hashable {
    /// A run began (`trigger`: input, response, rewind, recovery, timer or signal).
    case runStarted(trigger: String, input: JSON)
    /// The instance's status changed (`idle`, `in_progress`, `idle_with_pending_requests`,
    /// `failed`, `cancelled`).
    case status(String)
    /// A superstep began.
    case superstepStarted(superstep: Int)
    /// A superstep was committed.
    case superstepCompleted(superstep: Int)
    /// An executor was handed a message (`requestId` when it is the answer to a request).
    case executorInvoked(executor: String, superstep: Int, requestId: String?)
    /// An executor finished its message.
    case executorCompleted(executor: String, superstep: Int)
    /// An executor failed (`error` says why).
    case executorFailed(executor: String, superstep: Int, error: String)
    /// An executor yielded an output of the run.
    case output(executor: String, value: JSON)
    /// An executor raised a request for a person (`request`: id, executor, payload, schema, ...).
    case request(JSON)
    /// A response to a request was accepted.
    case responseAccepted(requestId: String, executor: String, response: JSON)
    /// A checkpoint was committed.
    case checkpointSaved(checkpointId: String, superstep: Int)
    /// Something went wrong without failing the run.
    case warning(executor: String?, reason: String)
    /// The run failed (`error`: code, message, details).
    case runFailed(error: JSON)
    /// The instance was reset.
    case instanceReset
    /// The instance was rewound to a checkpoint.
    case instanceRewound(checkpointId: String)
    /// The instance was forked from another's checkpoint.
    case instanceForked(fromInstance: String, checkpointId: String)
    /// An interrupted run resumed after a restart.
    case runRecovered(checkpointId: String?)
    /// An executor's own event.
    case custom(executor: String, name: String, data: JSON)
    /// A wait's time came (times in RFC 3339; `lateByMs` how long after its time it fired).
    case timerFired(executor: String, waitId: String, scheduledFor: String, firedAt: String, lateByMs: Int)
    /// A signal woke an executor's wait.
    case signalReceived(name: String, executor: String, waitId: String)
    /// A request timed out unanswered at `expiredAt`; its step decided for the person.
    case requestTimedOut(requestId: String, executor: String, expiredAt: String)
    /// Try `attempt` of `attempts` failed with `error`; the next comes after `delayMs`
    /// (`durable`: as a wait that survives a restart).
    case executorRetrying(executor: String, superstep: Int, attempt: Int, attempts: Int, delayMs: Int, error: String, durable: Bool)
    /// A model answered an `llm` step: its text, the tools it called (`[{id, name, arguments}]`),
    /// and the tokens it used.
    case llmMessage(executor: String, content: String?, toolCalls: JSON?, promptTokens: Int, completionTokens: Int)
    /// A piece of the text a model is streaming (live only).
    case llmDelta(executor: String, content: String)
    /// A type this side does not know.
    case unknown(type: String)

    /// Reads the body of an event (its flat JSON form). Members an event of its type should have
    /// and lacks read as empty values: a display shows what it has.
    public init(_ event: JSON) {
        let typeName = event["type"]?.stringValue ?? ""
        guard let type = EventType(rawValue: typeName) else {
            self = .unknown(type: typeName)
            return
        }
        func string(_ key: String) -> String { event[key]?.stringValue ?? "" }
        func int(_ key: String) -> Int { event[key]?.intValue ?? 0 }
        switch type {
        case .runStarted: self = .runStarted(trigger: string("trigger"), input: event["input"] ?? .null)
        case .status: self = .status(string("status"))
        case .superstepStarted: self = .superstepStarted(superstep: int("superstep"))
        case .superstepCompleted: self = .superstepCompleted(superstep: int("superstep"))
        case .executorInvoked: self = .executorInvoked(executor: string("executor"), superstep: int("superstep"), requestId: event["requestId"]?.stringValue)
        case .executorCompleted: self = .executorCompleted(executor: string("executor"), superstep: int("superstep"))
        case .executorFailed: self = .executorFailed(executor: string("executor"), superstep: int("superstep"), error: string("error"))
        case .output: self = .output(executor: string("executor"), value: event["value"] ?? .null)
        case .request: self = .request(event["request"] ?? .null)
        case .responseAccepted: self = .responseAccepted(requestId: string("requestId"), executor: string("executor"), response: event["response"] ?? .null)
        case .checkpointSaved: self = .checkpointSaved(checkpointId: string("checkpointId"), superstep: int("superstep"))
        case .warning: self = .warning(executor: event["executor"]?.stringValue, reason: string("reason"))
        case .runFailed: self = .runFailed(error: event["error"] ?? .null)
        case .instanceReset: self = .instanceReset
        case .instanceRewound: self = .instanceRewound(checkpointId: string("checkpointId"))
        case .instanceForked: self = .instanceForked(fromInstance: string("fromInstance"), checkpointId: string("checkpointId"))
        case .runRecovered: self = .runRecovered(checkpointId: event["checkpointId"]?.stringValue)
        case .custom: self = .custom(executor: string("executor"), name: string("name"), data: event["data"] ?? .null)
        case .timerFired:
            self = .timerFired(executor: string("executor"), waitId: string("waitId"), scheduledFor: string("scheduledFor"),
                               firedAt: string("firedAt"), lateByMs: int("lateByMs"))
        case .signalReceived: self = .signalReceived(name: string("name"), executor: string("executor"), waitId: string("waitId"))
        case .requestTimedOut: self = .requestTimedOut(requestId: string("requestId"), executor: string("executor"), expiredAt: string("expiredAt"))
        case .executorRetrying:
            self = .executorRetrying(executor: string("executor"), superstep: int("superstep"), attempt: int("attempt"), attempts: int("attempts"),
                                     delayMs: int("delayMs"), error: string("error"), durable: event["durable"] == .bool(true))
        case .llmMessage:
            self = .llmMessage(executor: string("executor"), content: event["content"]?.stringValue, toolCalls: event["toolCalls"],
                               promptTokens: event["usage"]?["promptTokens"]?.intValue ?? 0,
                               completionTokens: event["usage"]?["completionTokens"]?.intValue ?? 0)
        case .llmDelta: self = .llmDelta(executor: string("executor"), content: string("content"))
        }
    }
}

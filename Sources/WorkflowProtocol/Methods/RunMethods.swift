import WorkflowJSON

/// `run.*`: runs go on inside the daemon; a client that disconnects never affects one.
public enum RunMethods {
    static let instanceParam = InstanceMethods.instanceParam

    /// `run.start`
    public enum Start: RPCMethod {
        public struct Params: Codable, Sendable, Hashable {
            public var instance: String
            public var input: JSON?
            public var definition: String?
            public var idempotencyKey: String?
            public var wait: Bool?
            /// W3C Trace Context of the caller's span (`traceparent`).
            public var traceparent: String?
            public init(instance: String, input: JSON? = nil, definition: String? = nil, idempotencyKey: String? = nil, wait: Bool? = nil,
                        traceparent: String? = nil) {
                self.instance = instance
                self.input = input
                self.definition = definition
                self.idempotencyKey = idempotencyKey
                self.wait = wait
                self.traceparent = traceparent
            }
        }
        public typealias Result = RunInfo
        public static let name = "run.start"
        public static let summary = "Starts a run with input delivered to the start executor; answers with the run id once its start is durable (or, with wait, with the result). With definition, an instance that does not exist yet is created from it first. An idempotencyKey already used returns that run and starts nothing."
        public static let params = [instanceParam, RPCParam("input", "The input (default null)."),
                                    RPCParam("definition", "Create the instance from this definition if it does not exist."),
                                    RPCParam("idempotencyKey", "The same key returns the same run.", ["type": "string", "minLength": 1, "maxLength": 256]),
                                    RPCParam("wait", "Answer with the run's result, once it ends."), RPCParam("traceparent", "W3C Trace Context of the caller's span: the daemon's spans for this call, and the run it starts or continues, belong to that trace.", ["type": "string", "pattern": "^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$"])]
        public static let result = Schema.ref("RunInfo")
        public static let errors: [RPCError.Code] = [.instanceNotFound, .instanceBusy, .definitionNotFound, .storeErrorCode, .instanceBroken]
    }

    /// `run.wait`
    public enum Wait: RPCMethod {
        public struct Params: Codable, Sendable, Hashable {
            public var instance: String
            public var runId: String?
            public var timeoutMs: Int?
            public init(instance: String, runId: String? = nil, timeoutMs: Int? = nil) {
                self.instance = instance
                self.runId = runId
                self.timeoutMs = timeoutMs
            }
        }
        public typealias Result = RunInfo
        public static let name = "run.wait"
        public static let summary = "Waits for a run (default: the active one, else the last) to end. A timeout is not an error: it answers with the current status and timedOut."
        public static let params = [instanceParam, RPCParam("runId", "The run (default: the active, else the last)."),
                                    RPCParam("timeoutMs", "Wait at most this long.", ["type": "integer", "minimum": 0])]
        public static let result = Schema.ref("RunInfo")
        public static let errors: [RPCError.Code] = [.instanceNotFound, .runNotFound]
    }

    /// `run.get`
    public enum Get: RPCMethod {
        public struct Params: Codable, Sendable, Hashable {
            public var instance: String
            public var runId: String
            public init(instance: String, runId: String) {
                self.instance = instance
                self.runId = runId
            }
        }
        public typealias Result = RunInfo
        public static let name = "run.get"
        public static let summary = "One run: queued, in progress, or how it ended (outputs, error, requests left open)."
        public static let params = [instanceParam, RPCParam("runId", "The run.")]
        public static let result = Schema.ref("RunInfo")
        public static let errors: [RPCError.Code] = [.instanceNotFound, .runNotFound]
    }

    /// `run.list`
    public enum List: RPCMethod {
        public struct Params: Codable, Sendable, Hashable {
            public var instance: String?
            public var status: RunStatusValue?
            public var limit: Int?
            public init(instance: String? = nil, status: RunStatusValue? = nil, limit: Int? = nil) {
                self.instance = instance
                self.status = status
                self.limit = limit
            }
        }
        public struct Result: Codable, Sendable, Hashable {
            public var runs: [RunInfo]
            public init(runs: [RunInfo]) { self.runs = runs }
        }
        public static let name = "run.list"
        public static let summary = "The instance's runs, newest first: queued ones, the active one, and those the store still records. Without an instance, the recorded runs of every instance the caller may see; with a status, only those (status failed across instances is the dead-letter view: run.retry takes one up again)."
        public static let params = [RPCParam("instance", "The instance (default: every instance the caller may see, recorded runs only)."),
                                    RPCParam("status", "Only runs that ended (or are) so."),
                                    RPCParam("limit", "At most this many (default 100, at most 1000).", ["type": "integer", "minimum": 1, "maximum": 1000])]
        public static let result = Schema.of(Result.self)
        public static let errors: [RPCError.Code] = [.instanceNotFound]
    }

    /// `run.retry`
    public enum Retry: RPCMethod {
        public struct Params: Codable, Sendable, Hashable {
            public var instance: String
            public var wait: Bool?
            public init(instance: String, wait: Bool? = nil) {
                self.instance = instance
                self.wait = wait
            }
        }
        public typealias Result = RunInfo
        public static let name = "run.retry"
        public static let summary = "Takes up the work the instance's last run left when it failed or was cancelled: a run with trigger retry continues from the last checkpoint (the superstep that failed runs again) with a fresh superstep budget; the failed run stays failed in the history. With wait, answers with the result."
        public static let params = [instanceParam, RPCParam("wait", "Answer with the run's result, once it ends.")]
        public static let result = Schema.ref("RunInfo")
        public static let errors: [RPCError.Code] = [.instanceNotFound, .runNotFound, .instanceBusy, .storeErrorCode, .instanceBroken]
    }

    /// `run.cancel`
    public enum Cancel: RPCMethod {
        public typealias Params = InstanceMethods.Target
        public struct Result: Codable, Sendable, Hashable {
            public var cancelled: Bool
            public var runId: String?
            public init(cancelled: Bool, runId: String?) {
                self.cancelled = cancelled
                self.runId = runId
            }
        }
        public static let name = "run.cancel"
        public static let summary = "Cancels the active run (its executors are cancelled, child processes killed) and answers once it has ended; the instance keeps its last checkpoint."
        public static let params = [instanceParam]
        public static let result = Schema.of(Result.self)
        public static let errors: [RPCError.Code] = [.instanceNotFound]
    }
}

extension RPCError.Code {
    /// Store failures are internal errors that name their cause.
    static let storeErrorCode = RPCError.Code.storeFailed
}

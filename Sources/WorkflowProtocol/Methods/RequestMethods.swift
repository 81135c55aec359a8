import WorkflowJSON

/// `request.*`: questions runs ask a person.
public enum RequestMethods {
    /// `request.list`
    public enum List: RPCMethod {
        public struct Params: Codable, Sendable, Hashable {
            public var instance: String?
            public init(instance: String? = nil) { self.instance = instance }
        }
        public struct Result: Codable, Sendable, Hashable {
            public var requests: [RequestInfo]
            public init(requests: [RequestInfo]) { self.requests = requests }
        }
        public static let name = "request.list"
        public static let summary = "Open requests, each with its payload and JSON Schema: of one instance, or of every instance the caller may see."
        public static let params = [RPCParam("instance", "Only this instance's.")]
        public static let result = Schema.of(Result.self)
        public static let errors: [RPCError.Code] = [.instanceNotFound]
    }

    /// `request.respond`
    public enum Respond: RPCMethod {
        public struct Params: Codable, Sendable, Hashable {
            public var instance: String
            public var requestId: String
            public var response: JSON
            /// W3C Trace Context of the caller's span (`traceparent`).
            public var traceparent: String?
            public init(instance: String, requestId: String, response: JSON, traceparent: String? = nil) {
                self.instance = instance
                self.requestId = requestId
                self.response = response
                self.traceparent = traceparent
            }
        }
        public struct Result: Codable, Sendable, Hashable {
            /// The run the response goes to: the active one, or a new continuation run.
            public var runId: String
            public var startedRun: Bool
            public init(runId: String, startedRun: Bool) {
                self.runId = runId
                self.startedRun = startedRun
            }
        }
        public static let name = "request.respond"
        public static let summary = "Answers an open request. The response is checked against the request's schema first (a rejected one leaves the request open), is durable before this answers, and reaches the active run at its next superstep boundary, or starts a continuation run."
        public static let params = [InstanceMethods.instanceParam, RPCParam("requestId", "The request's id."),
                                    RPCParam("response", "The answer; it must satisfy the request's schema."), RPCParam("traceparent", "W3C Trace Context of the caller's span: the daemon's spans for this call, and the run it starts or continues, belong to that trace.", ["type": "string", "pattern": "^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$"])]
        public static let result = Schema.of(Result.self)
        public static let errors: [RPCError.Code] = [.instanceNotFound, .requestNotFound, .responseInvalid, .instanceBusy, .storeFailed, .instanceBroken]
    }
}

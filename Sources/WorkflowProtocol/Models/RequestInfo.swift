import WorkflowJSON

/// An open human-in-the-loop request: what is asked (`payload`) and the JSON Schema an answer
/// must satisfy (`schema`), so a client can check an answer before sending it.
public struct RequestInfo: Codable, Sendable, Hashable {
    public var instance: String
    public var id: String
    public var executor: String
    public var payload: JSON
    public var schema: JSON
    public var runId: String
    public var superstep: Int
    public var time: String
    /// When it times out unanswered, if it does (RFC 3339).
    public var expiresAt: String?

    public init(instance: String, id: String, executor: String, payload: JSON, schema: JSON, runId: String, superstep: Int, time: String,
                expiresAt: String? = nil) {
        self.instance = instance
        self.id = id
        self.executor = executor
        self.payload = payload
        self.schema = schema
        self.runId = runId
        self.superstep = superstep
        self.time = time
        self.expiresAt = expiresAt
    }

    public static let schema: JSON = Schema.of(RequestInfo.self, ["time": Schema.time, "expiresAt": Schema.time])
}

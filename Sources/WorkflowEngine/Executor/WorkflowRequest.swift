

/// A human-in-the-loop request: raised by an executor, answered through
/// ``WorkflowInstance/respond(to:with:)``, and delivered back to the same executor.
public struct WorkflowRequest: Sendable, Hashable {
    /// Unique within the instance.
    public var id: String
    /// The executor that raised it and that receives the response.
    public var executor: String
    /// What the person is asked (a prompt, a draft, anything JSON).
    public var payload: JSON
    /// The JSON Schema the response must satisfy (`true` accepts anything).
    public var schema: JSON
    /// The run that raised it.
    public var runID: String
    /// The instance superstep in which it was raised.
    public var superstep: Int
    /// When it was raised (seconds since 1970).
    public var time: Double
    /// When it times out, if it does (seconds since 1970): its executor then decides for the
    /// person (``Executor/handleWake(_:context:)`` with the request's wait).
    public var expiresAt: Double?

    /// Makes a request (an executor raises its own through ``ExecutorContext``; a store reads them back).
    public init(id: String, executor: String, payload: JSON, schema: JSON, runID: String, superstep: Int, time: Double,
                expiresAt: Double? = nil) {
        self.id = id
        self.executor = executor
        self.payload = payload
        self.schema = schema
        self.runID = runID
        self.superstep = superstep
        self.time = time
        self.expiresAt = expiresAt
    }
}

extension WorkflowRequest: JSONRepresentable {
    public var json: JSON {
        var object: JSONObject = ["id": .string(id), "executor": .string(executor), "payload": payload, "schema": schema,
                                  "runId": .string(runID), "superstep": .number(Double(superstep)), "time": .string(Timestamp.format(time))]
        if let expiresAt { object["expiresAt"] = .string(Timestamp.format(expiresAt)) }
        return .object(object)
    }

    public init(json: JSON) throws {
        let reader = try JSONReader(json, path: "request")
        self.init(id: try reader.string("id"), executor: try reader.string("executor"),
                  payload: reader.object["payload"] ?? .null, schema: reader.object["schema"] ?? true,
                  runID: try reader.string("runId"), superstep: try reader.counter("superstep"),
                  time: try Timestamp.parse(try reader.string("time"), path: reader.field("time")),
                  expiresAt: try reader.optionalString("expiresAt").map { try Timestamp.parse($0, path: reader.field("expiresAt")) })
    }
}

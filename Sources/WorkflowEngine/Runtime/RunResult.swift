/// How a run ended.
public struct RunResult: Sendable, Hashable {
    /// The run's id.
    public var runID: String
    /// `idle`, `idle_with_pending_requests`, `failed` or `cancelled`.
    public var status: InstanceStatus
    /// The values yielded as workflow outputs by the run's committed supersteps, in order.
    public var outputs: [JSON]
    /// Why the run failed (or was cancelled).
    public var error: WorkflowError?
    /// The requests open when the run ended.
    public var pendingRequests: [WorkflowRequest]
    /// How many supersteps the run used (of its `maxSupersteps` budget).
    public var supersteps: Int

    /// Makes a result (an instance makes its own; a store reads them back).
    public init(runID: String, status: InstanceStatus, outputs: [JSON], error: WorkflowError?, pendingRequests: [WorkflowRequest],
                supersteps: Int) {
        self.runID = runID
        self.status = status
        self.outputs = outputs
        self.error = error
        self.pendingRequests = pendingRequests
        self.supersteps = supersteps
    }
}

extension RunResult: JSONRepresentable {
    public var json: JSON {
        var object: JSONObject = ["runId": .string(runID), "status": .string(status.rawValue), "outputs": .array(outputs),
                                  "pendingRequests": .array(pendingRequests.map(\.json)), "supersteps": .number(Double(supersteps))]
        if let error { object["error"] = error.json }
        return .object(object)
    }

    public init(json: JSON) throws {
        let r = try JSONReader(json, path: "result")
        guard let status = InstanceStatus(rawValue: try r.string("status")) else { throw JSONShapeError(path: r.field("status"), "unknown status") }
        self.init(runID: try r.string("runId"), status: status, outputs: try r.array("outputs"),
                  error: try r.object["error"].map { try WorkflowError(json: $0) },
                  pendingRequests: try r.array("pendingRequests").map { try WorkflowRequest(json: $0) },
                  supersteps: try r.int("supersteps"))
    }
}

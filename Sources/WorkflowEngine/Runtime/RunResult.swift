/// How a run ended.
public struct RunResult: Sendable, Hashable {
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

/// A run that was asked for: its id, what happened to the request, and its events.
public struct RunHandle: Sendable {
    /// What ``WorkflowInstance/start(_:idempotencyKey:)`` did.
    public enum Disposition: Sendable, Hashable {
        case started
        /// Queued behind the active run (position 1 is next).
        case queued(position: Int)
        /// The idempotency key was already used: this is that run, nothing new started.
        case existing
        /// Started by a rewind or fork whose checkpoint had work in flight.
        case continued
    }

    public let runID: String
    public let disposition: Disposition
    /// The run's events from when the handle was made until the run ends (then the sequence
    /// ends). Dropping it does not affect the run.
    public let events: WorkflowEventStream
    public let instance: WorkflowInstance

    /// Waits for the run to end.
    public func result() async throws -> RunResult {
        try await instance.result(of: runID)
    }
}

/// What ``WorkflowInstance/respond(to:with:)`` did with an accepted response.
public struct ResponseOutcome: Sendable, Hashable {
    /// The run that will deliver the response: the active run, or a new continuation run.
    public var runID: String
    /// Whether a continuation run was started (the instance was idle).
    public var startedRun: Bool
}

/// A new instance made by ``WorkflowInstance/fork(from:as:)``, and the run that continues the
/// checkpoint's work in flight, if it had any.
public struct ForkResult: Sendable {
    public let instance: WorkflowInstance
    public let run: RunHandle?
}

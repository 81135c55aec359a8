/// What a list of checkpoints shows without loading their content.
public struct CheckpointSummary: Sendable, Hashable {
    /// The checkpoint's id.
    public var id: String
    /// Its parent in the lineage; nil at the root.
    public var parentID: String?
    /// The instance it was taken of.
    public var instance: String
    /// The run that wrote it, if any.
    public var runID: String?
    /// Why it was written.
    public var reason: Checkpoint.Reason
    /// The instance's superstep counter at this boundary.
    public var superstep: Int
    /// When it was written, in seconds since 1970.
    public var time: Double
    /// What restoring it gives (see ``Checkpoint/status``).
    public var status: InstanceStatus
    /// How many requests for a person were open.
    public var openRequests: Int
    /// How many messages waited for delivery.
    public var messagesInFlight: Int

    /// Makes a summary from its fields (a store reads them back).
    public init(id: String, parentID: String?, instance: String, runID: String?, reason: Checkpoint.Reason, superstep: Int,
                time: Double, status: InstanceStatus, openRequests: Int, messagesInFlight: Int) {
        self.id = id
        self.parentID = parentID
        self.instance = instance
        self.runID = runID
        self.reason = reason
        self.superstep = superstep
        self.time = time
        self.status = status
        self.openRequests = openRequests
        self.messagesInFlight = messagesInFlight
    }
}

extension CheckpointSummary: JSONRepresentable {
    public var json: JSON {
        ["id": .string(id), "parentId": parentID.map { .string($0) } ?? .null, "instance": .string(instance),
         "runId": runID.map { .string($0) } ?? .null, "reason": .string(reason.rawValue), "superstep": .number(Double(superstep)),
         "time": .string(Timestamp.format(time)), "status": .string(status.rawValue),
         "openRequests": .number(Double(openRequests)), "messagesInFlight": .number(Double(messagesInFlight))]
    }

    public init(json: JSON) throws {
        let r = try JSONReader(json, path: "checkpoint")
        guard let reason = Checkpoint.Reason(rawValue: try r.string("reason")) else { throw JSONShapeError(path: r.field("reason"), "unknown reason") }
        guard let status = InstanceStatus(rawValue: try r.string("status")) else { throw JSONShapeError(path: r.field("status"), "unknown status") }
        self.init(id: try r.string("id"), parentID: try r.optionalString("parentId"), instance: try r.string("instance"),
                  runID: try r.optionalString("runId"), reason: reason, superstep: try r.counter("superstep"),
                  time: try Timestamp.parse(try r.string("time"), path: r.field("time")), status: status,
                  openRequests: try r.int("openRequests"), messagesInFlight: try r.int("messagesInFlight"))
    }
}

/// What a list of checkpoints shows without loading their content.
public struct CheckpointSummary: Sendable, Hashable {
    public var id: String
    public var parentID: String?
    public var instance: String
    public var runID: String?
    public var reason: Checkpoint.Reason
    public var superstep: Int
    public var time: Double
    public var status: InstanceStatus
    public var openRequests: Int
    public var messagesInFlight: Int

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

import WorkflowJSON

/// A checkpoint as listed (its content comes with `checkpoint.get`).
public struct CheckpointInfo: Codable, Sendable, Hashable {
    public var id: String
    public var parentId: String?
    public var instance: String
    public var runId: String?
    /// `run_started`, `superstep`, `response_accepted` or `manual`.
    public var reason: CheckpointReasonValue
    public var superstep: Int
    public var time: String
    public var status: InstanceStatusValue
    public var openRequests: Int
    public var messagesInFlight: Int
    /// A name given by `checkpoint.create`; it works wherever an id does, and retention keeps it.
    public var label: String?
    /// Whether it is the instance's lineage head.
    public var head: Bool

    public init(id: String, parentId: String?, instance: String, runId: String?, reason: CheckpointReasonValue, superstep: Int, time: String,
                status: InstanceStatusValue, openRequests: Int, messagesInFlight: Int, label: String?, head: Bool) {
        self.id = id
        self.parentId = parentId
        self.instance = instance
        self.runId = runId
        self.reason = reason
        self.superstep = superstep
        self.time = time
        self.status = status
        self.openRequests = openRequests
        self.messagesInFlight = messagesInFlight
        self.label = label
        self.head = head
    }

    public static let schema: JSON = Schema.of(CheckpointInfo.self, ["time": Schema.time])
}

/// What an instance looks like at one moment, read in one step: everything a caller shows about
/// it, consistent with itself (a status and an active run read apart could describe two moments).
public struct InstanceOverview: Sendable, Hashable {
    /// The last status.
    public var status: InstanceStatus
    /// The active run, if any.
    public var activeRunID: String?
    /// Runs waiting behind the active one, in order.
    public var queuedRunIDs: [String]
    /// The open requests, oldest first.
    public var pendingRequests: [WorkflowRequest]
    /// The lineage pointer: the checkpoint the next one will have as parent.
    public var lineageHead: String?
    /// The seq the next event will get.
    public var nextSeq: UInt64
    /// The superstep counter.
    public var superstep: Int
    /// Messages waiting for delivery (in flight, plus responses not yet delivered).
    public var messagesInFlight: Int
    /// Why the instance takes no new work, if it is broken.
    public var brokenReason: WorkflowError?
    /// Armed waits, the soonest due first.
    public var waits: [WorkflowWait]
    /// Signals kept for waits to come, oldest first.
    public var keptSignals: [WorkflowSignal]

    /// Makes an overview (the instance makes its own: ``WorkflowInstance/overview``).
    public init(status: InstanceStatus, activeRunID: String?, queuedRunIDs: [String], pendingRequests: [WorkflowRequest],
                lineageHead: String?, nextSeq: UInt64, superstep: Int, messagesInFlight: Int, brokenReason: WorkflowError?,
                waits: [WorkflowWait] = [], keptSignals: [WorkflowSignal] = []) {
        self.status = status
        self.activeRunID = activeRunID
        self.queuedRunIDs = queuedRunIDs
        self.pendingRequests = pendingRequests
        self.lineageHead = lineageHead
        self.nextSeq = nextSeq
        self.superstep = superstep
        self.messagesInFlight = messagesInFlight
        self.brokenReason = brokenReason
        self.waits = waits
        self.keptSignals = keptSignals
    }
}

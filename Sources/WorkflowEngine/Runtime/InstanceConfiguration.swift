/// How an instance behaves, passed in explicitly when it is created.
public struct InstanceConfiguration: Sendable {
    /// Where checkpoints and the event log go. Without a store the instance keeps no checkpoints
    /// (rewind and fork are unavailable) and events are only streamed live.
    public var store: (any CheckpointStore)?
    /// Reject (default) or queue a run asked for while another is active.
    public var onBusy: BusyPolicy
    /// Checks responses against their request's schema before they are accepted.
    public var responseValidator: (any ResponseValidator)?
    /// How many finished runs' results to keep for ``WorkflowInstance/result(of:)`` (runs that an
    /// idempotency key refers to are always kept).
    public var runHistoryLimit: Int

    public init(store: (any CheckpointStore)? = nil, onBusy: BusyPolicy = .reject,
                responseValidator: (any ResponseValidator)? = nil, runHistoryLimit: Int = 64) {
        self.store = store
        self.onBusy = onBusy
        self.responseValidator = responseValidator
        self.runHistoryLimit = runHistoryLimit
    }
}

import WorkflowEngine

/// A run as the store records it (from its events): status, trigger, input, outputs, error, times.
public struct StoredRun: Sendable, Hashable {
    public var id: String
    public var instance: String
    /// `in_progress`, `idle`, `idle_with_pending_requests`, `failed` or `cancelled`.
    public var status: String
    public var trigger: String
    public var input: JSON
    public var outputs: JSON
    public var error: JSON?
    public var startedAt: Double
    public var endedAt: Double?
    /// Supersteps it completed (nil for runs recorded before the store counted them).
    public var supersteps: Int?
    /// The idempotency key it was started with (a schedule's fire: `schedule:NAME:TIME`).
    public var idempotencyKey: String?

    public init(id: String, instance: String, status: String, trigger: String, input: JSON, outputs: JSON, error: JSON?,
                startedAt: Double, endedAt: Double?, supersteps: Int? = nil, idempotencyKey: String? = nil) {
        self.id = id
        self.instance = instance
        self.status = status
        self.trigger = trigger
        self.input = input
        self.outputs = outputs
        self.error = error
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.supersteps = supersteps
        self.idempotencyKey = idempotencyKey
    }
}

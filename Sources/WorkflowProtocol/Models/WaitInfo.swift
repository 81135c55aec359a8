import WorkflowJSON

/// A wait an executor armed (a `wait` step): when it is due, the signal that wakes it, or both
/// (the first to come wins).
public struct WaitInfo: Codable, Sendable, Hashable {
    /// The wait's id.
    public var id: String
    /// The executor that armed it and that it wakes.
    public var executor: String
    /// The run that armed it.
    public var runId: String
    /// When it is due (RFC 3339); absent for a wait on a signal only.
    public var due: String?
    /// The signal that wakes it (`instance.signal`); absent for a wait on time only.
    public var signal: String?
    /// When it was armed (RFC 3339).
    public var armedAt: String

    /// Makes a wait's description.
    public init(id: String, executor: String, runId: String, due: String?, signal: String?, armedAt: String) {
        self.id = id
        self.executor = executor
        self.runId = runId
        self.due = due
        self.signal = signal
        self.armedAt = armedAt
    }

    /// The schema of a wait's description.
    public static let schema: JSON = Schema.of(WaitInfo.self, ["due": Schema.time, "armedAt": Schema.time])
}

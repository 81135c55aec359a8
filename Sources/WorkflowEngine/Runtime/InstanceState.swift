/// A message waiting for delivery inside an instance (targets by executor index).
struct PendingMessage: Sendable {
    var source: String
    var target: Int
    var payload: JSON
    /// Set for a response delivery: the request being answered. Boxed, so that ordinary messages
    /// (copied several times per superstep) stay small.
    var request: WorkflowRequest? {
        get { box?.request }
        set { box = newValue.map(RequestBox.init) }
    }
    private var box: RequestBox?

    init(source: String, target: Int, payload: JSON, request: WorkflowRequest? = nil) {
        self.source = source
        self.target = target
        self.payload = payload
        self.box = request.map(RequestBox.init)
    }

    private final class RequestBox: Sendable {
        let request: WorkflowRequest
        init(_ request: WorkflowRequest) { self.request = request }
    }
}

/// Everything an instance owns that a checkpoint captures and a reset replaces. It is a value, so
/// reset and rewind build the new one aside and swap it in: an instance is never half restored.
struct InstanceState: Sendable {
    var sharedState: JSONObject = [:]
    /// Built from the factories the first time they are needed (idle instances stay small).
    var executors: [any Executor]?
    /// Fan-in buffers by edge index: one FIFO per source.
    var fanIn: [Int: [[JSON]]] = [:]
    var inFlight: [PendingMessage] = []
    var pending: [String: WorkflowRequest] = [:]
    var superstep = 0
    /// The lineage pointer: the last checkpoint written (or restored).
    var head: String?
    var status: InstanceStatus = .idle

    var sortedPending: [WorkflowRequest] {
        pending.values.sorted { ($0.time, $0.id) < ($1.time, $1.id) }
    }
}

/// One run's bookkeeping.
struct RunRecord {
    enum Phase {
        case queued
        case running
        case finished(RunResult)
    }

    let id: String
    var trigger: WorkflowEvent.Trigger
    var input: JSON
    var phase: Phase = .queued
    var outputs: [JSON] = []
    var waiters: [CheckedContinuation<RunResult, Never>] = []
    var streams: [AsyncStream<[WorkflowEvent]>.Continuation] = []

    var result: RunResult? {
        if case .finished(let result) = phase { return result }
        return nil
    }
}

/// A superstep's work for one executor, returned to the actor for the boundary commit.
struct SuperstepResult: Sendable {
    var index: Int
    var executor: any Executor
    var context: ExecutorContext
}

/// An executor's error, tagged with the executor.
struct ExecutorFailure: Error {
    var executor: String
    var error: any Error
}

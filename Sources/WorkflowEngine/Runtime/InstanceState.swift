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
    /// Armed waits, by id.
    var waits: [String: WorkflowWait] = [:]
    /// Signals that came before any wait for them, oldest first.
    var signals: [WorkflowSignal] = []
    /// Requests that timed out unanswered, and when (the newest ``timedOutLimit``): a late
    /// answer is told so.
    var timedOut: [String: Double] = [:]
    static let timedOutLimit = 256
    /// The trace of the active (or last) run, as W3C Trace Context carries it: checkpointed, so
    /// that a run resumed after a restart goes on in its trace. Empty when tracing is off.
    var runTrace: [String: String] = [:]

    /// Records that `requestID` timed out at `time`, forgetting the oldest beyond the bound.
    mutating func recordTimeout(_ requestID: String, at time: Double) {
        timedOut[requestID] = time
        if timedOut.count > Self.timedOutLimit, let oldest = timedOut.min(by: { $0.value < $1.value }) {
            timedOut[oldest.key] = nil
        }
    }

    /// Disarms the timeout of `requestID` (it was answered); returns the wait, if there was one.
    mutating func disarmTimeout(of requestID: String) -> WorkflowWait? {
        guard let wait = waits.values.first(where: { $0.requestID == requestID }) else { return nil }
        waits[wait.id] = nil
        return wait
    }
    var superstep = 0
    /// The lineage pointer: the last checkpoint written (or restored).
    var head: String?
    var status: InstanceStatus = .idle
    /// The run that ended `failed` or `cancelled` last: a new run discards what it left (its
    /// messages and the requests it raised), and only that.
    var failedRunID: String?
    /// What changed since the last checkpoint staged (``head``): a state built anew (fresh,
    /// restored) may differ from any stored one in everything.
    var changes: CheckpointChanges = .everything

    var sortedPending: [WorkflowRequest] {
        pending.values.sorted { ($0.time, $0.id) < ($1.time, $1.id) }
    }

    /// Armed waits, the soonest due first, then those on a signal only (oldest first).
    var sortedWaits: [WorkflowWait] {
        waits.values.sorted { ($0.due ?? .infinity, $0.armedAt, $0.id) < ($1.due ?? .infinity, $1.armedAt, $1.id) }
    }

    /// What a run that converges leaves: waiting for a person while a request is open, else
    /// waiting for a time or a signal while a wait is armed, else idle.
    var quiescentStatus: InstanceStatus {
        if !pending.isEmpty { return .idleWithPendingRequests }
        return waits.isEmpty ? .idle : .waiting
    }
}

extension InstanceState {
    /// Takes the responses to requests that `matching` picks out of the messages in flight (in a
    /// state restored from a checkpoint, each response in flight was accepted and not delivered).
    /// The wakes in flight (waits that fired for a continuation that had not started), taken.
    mutating func takeWakes() -> [PendingMessage] {
        let taken = inFlight.filter { $0.wake != nil }
        if !taken.isEmpty { inFlight.removeAll { $0.wake != nil } }
        return taken
    }

    mutating func takeResponses(where matching: (WorkflowRequest) -> Bool) -> [PendingMessage] {
        guard inFlight.contains(where: { $0.request.map(matching) ?? false }) else { return [] }
        let taken = inFlight.filter { $0.request.map(matching) ?? false }
        inFlight.removeAll { $0.request.map(matching) ?? false }
        return taken
    }
}

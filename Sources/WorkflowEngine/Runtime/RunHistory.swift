import WorkflowConcurrency
/// The runs an instance knows: queued, running, and a bounded number of finished ones (with their
/// results, for ``WorkflowInstance/result(of:)``). Runs a live idempotency key refers to are kept
/// besides; keys themselves are bounded, so the history is too.
struct RunHistory: Sendable {
    struct Entry: Sendable {
        let id: String
        var trigger: WorkflowEvent.Trigger
        var input: JSON
        /// How it ended; nil while it is queued or running (the run lifecycle says which).
        var result: RunResult?
        var outputs: [JSON] = []
        var waiters: [Promise<RunResult>] = []
        /// Subscriptions of this run's handles (they end with the run).
        var streams: [SubscriptionBuffer] = []
    }

    private(set) var entries: [String: Entry] = [:]
    /// How many run streams are attached (0 lets delivery skip looking the run up).
    private(set) var streamCount = 0
    private var finished: [String] = []
    let limit: Int

    init(limit: Int) { self.limit = max(1, limit) }

    subscript(id: String) -> Entry? {
        get { entries[id] }
        set { entries[id] = newValue }
    }

    /// Attaches a stream of the run's events (it ends with the run).
    mutating func attach(_ stream: SubscriptionBuffer, to id: String) {
        guard entries[id] != nil else { return }
        entries[id]?.streams.append(stream)
        streamCount += 1
    }

    /// Forgets a run that never started (its streams end).
    mutating func remove(_ id: String) {
        guard let entry = entries.removeValue(forKey: id) else { return }
        for stream in entry.streams { stream.finish() }
        streamCount -= entry.streams.count
    }

    /// Knows run `id` from now on (queued or started), replacing what was known of that id.
    mutating func add(_ id: String, trigger: WorkflowEvent.Trigger, input: JSON) {
        if let old = entries[id] { streamCount -= old.streams.count }
        entries[id] = Entry(id: id, trigger: trigger, input: input)
    }

    /// Records the result; returns the entry's waiters and streams to wake. Past the limit, the
    /// oldest finished runs are forgotten (except those in `keep`).
    mutating func finish(_ id: String, _ result: RunResult, keep: Set<String>) -> (waiters: [Promise<RunResult>], streams: [SubscriptionBuffer]) {
        guard var entry = entries[id] else { return ([], []) }
        let woken = (entry.waiters, entry.streams)
        streamCount -= entry.streams.count
        entry.result = result
        entry.waiters = []
        entry.streams = []
        entry.outputs = []
        entries[id] = entry
        finished.append(id)
        if finished.count > limit {
            var kept: [String] = []
            var excess = finished.count - limit
            for old in finished {
                if excess > 0 && !keep.contains(old) {
                    entries[old] = nil
                    excess -= 1
                } else {
                    kept.append(old)
                }
            }
            finished = kept
        }
        return woken
    }
}

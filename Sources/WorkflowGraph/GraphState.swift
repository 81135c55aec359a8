/// What an instance's graph shows on top of its definition: executors holding messages, those
/// waiting on a person, and the path of the active or last run.
public struct GraphState: Sendable, Hashable {
    /// One executor invocation of the highlighted run.
    public struct Invocation: Sendable, Hashable {
        public var executor: String
        public var superstep: Int
        public init(executor: String, superstep: Int) {
            self.executor = executor
            self.superstep = superstep
        }
    }

    /// Messages waiting for each executor.
    public var holding: [String: Int]
    /// Executors with an open request.
    public var waiting: Set<String>
    /// The highlighted run's invocations, in order.
    public var invocations: [Invocation]
    public var runId: String?
    public var runStatus: String?
    /// The instance's status.
    public var status: String?

    public init(holding: [String: Int] = [:], waiting: Set<String> = [], invocations: [Invocation] = [], runId: String? = nil,
                runStatus: String? = nil, status: String? = nil) {
        self.holding = holding
        self.waiting = waiting
        self.invocations = invocations
        self.runId = runId
        self.runStatus = runStatus
        self.status = status
    }

    /// Executors the run invoked.
    public var visited: Set<String> { Set(invocations.map(\.executor)) }

    /// Whether the run went along an edge from `source` to `target`: the target was invoked in the
    /// superstep after the source (for a fan-in, in any later one, once all had delivered).
    public func traversed(from source: String, to target: String, fanIn: Bool = false) -> Bool {
        let sourceSteps = Set(invocations.filter { $0.executor == source }.map(\.superstep))
        guard !sourceSteps.isEmpty else { return false }
        for invocation in invocations where invocation.executor == target {
            if fanIn ? sourceSteps.contains(where: { $0 < invocation.superstep }) : sourceSteps.contains(invocation.superstep - 1) { return true }
        }
        return false
    }
}

/// A validated, immutable workflow graph: executors (as factories), edges, start executor, limits.
/// Build one with ``WorkflowBuilder``; create instances of it with ``WorkflowInstance``.
public struct Workflow: Sendable {
    /// Makes a fresh executor (one per instance, and again on reset).
    public typealias Factory = @Sendable () throws -> any Executor

    /// The definition's name.
    public let name: String
    /// The executor a run's input goes to.
    public let start: String
    /// Superstep budget of each run (a continuation after a response gets a fresh one).
    public let maxSupersteps: Int
    /// How long one run may take, in seconds (nil: as long as it needs): past it the superstep in
    /// flight is interrupted and the run fails, saying so.
    public let runTimeout: Double?
    /// A JSON Schema every run's input must satisfy (checked before the run starts), if any.
    public let inputSchema: JSON?
    /// Executor ids, sorted; an executor's index is its position here, so index order is id order.
    public let executorIDs: [String]
    /// If set, only these executors' yields are workflow outputs; others' become warnings.
    public let outputExecutors: Set<String>?
    /// The edges, in the order they were added.
    public let edges: [Edge]
    /// SHA-256 (hex) of everything that changes behaviour: start, limits, executors' kinds and
    /// configurations, edges with their conditions, outputs. Not the name.
    public let graphHash: String

    let factories: [Factory]
    /// Each executor's retry policy (by index), if it has one.
    let retryPolicies: [RetryPolicy?]
    let startIndex: Int
    let indexByID: [String: Int]
    /// Edge indices leaving each executor (by executor index).
    let outgoing: [[Int]]
    /// For each edge: executor indices of its targets (same order as `Edge.targets`).
    let edgeTargetIndices: [[Int]]
    /// For fan-in edges: source id → position in the source list.
    let fanInPositions: [Int: [String: Int]]
    /// Edge index by edge id (ids are unique: the builder checks).
    let edgeIndexByID: [String: Int]

    init(name: String, start: String, maxSupersteps: Int, runTimeout: Double? = nil, inputSchema: JSON? = nil,
         executors: [(id: String, kind: String, config: JSON, retry: RetryPolicy?, factory: Factory)], edges: [Edge], outputExecutors: Set<String>?) {
        let sorted = executors.sorted { JSON.codepointLess($0.id, $1.id) }
        self.name = name
        self.start = start
        self.maxSupersteps = maxSupersteps
        self.runTimeout = runTimeout
        self.inputSchema = inputSchema
        self.executorIDs = sorted.map(\.id)
        self.factories = sorted.map(\.factory)
        self.retryPolicies = sorted.map(\.retry)
        self.outputExecutors = outputExecutors
        self.edges = edges
        var indexByID: [String: Int] = [:]
        for (index, id) in executorIDs.enumerated() { indexByID[id] = index }
        self.indexByID = indexByID
        self.startIndex = indexByID[start]!
        var outgoing = [[Int]](repeating: [], count: sorted.count)
        var fanInPositions: [Int: [String: Int]] = [:]
        for (edgeIndex, edge) in edges.enumerated() {
            for source in edge.sources { outgoing[indexByID[source]!].append(edgeIndex) }
            if case .fanIn(let from, _) = edge {
                var positions: [String: Int] = [:]
                for (position, source) in from.enumerated() { positions[source] = position }
                fanInPositions[edgeIndex] = positions
            }
        }
        self.outgoing = outgoing
        self.edgeTargetIndices = edges.map { $0.targets.map { indexByID[$0]! } }
        self.fanInPositions = fanInPositions
        var edgeIndexByID: [String: Int] = [:]
        for (index, edge) in edges.enumerated() where edgeIndexByID[edge.id] == nil { edgeIndexByID[edge.id] = index }
        self.edgeIndexByID = edgeIndexByID

        var signature: JSONObject = [
            "start": .string(start),
            "maxSupersteps": .number(Double(maxSupersteps)),
            // A retry policy only when set: executors without one keep their hash.
            "executors": .object(Dictionary(uniqueKeysWithValues: sorted.map { executor -> (String, JSON) in
                var signature: JSONObject = ["kind": .string(executor.kind), "config": executor.config]
                if let retry = executor.retry { signature["retry"] = retry.json }
                return (executor.id, .object(signature))
            })),
            "edges": .array(edges.map(\.signature)),
            "outputs": outputExecutors.map { .array($0.sorted().map { .string($0) }) } ?? .null,
        ]
        // Only when set: the graphs of definitions without one keep their hash.
        if let runTimeout { signature["runTimeout"] = .number(runTimeout) }
        if let inputSchema { signature["inputSchema"] = inputSchema }
        self.graphHash = SHA256.hexDigest(JSON.object(signature).serializedBytes())
    }

    /// Executor `id`'s retry policy, if it has one.
    public func retryPolicy(of id: String) -> RetryPolicy? {
        indexByID[id].flatMap { retryPolicies[$0] }
    }

    /// The index of executor `id`, if the graph has it.
    func index(of id: String) -> Int? { indexByID[id] }

    /// The index of the edge with `id`, if the graph has it.
    func edgeIndex(id: String) -> Int? { edgeIndexByID[id] }

    /// Builds a fresh set of executors, one per id, from the factories.
    func makeExecutors() throws -> [any Executor] {
        try factories.map { try $0() }
    }
}

/// Assembles and validates a workflow graph.
///
/// ```swift
/// var builder = WorkflowBuilder(name: "review", start: "draft")
/// builder.addExecutor("draft") { Draft() }
/// builder.addExecutor("approve") { Approve() }
/// builder.addEdge(from: "draft", to: "approve")
/// let workflow = try builder.build()
/// ```
/// ``build()`` reports every problem at once: unknown ids, executors unreachable from the start, a
/// fan-in with fewer than two sources, a switch without a default, duplicate edges.
public struct WorkflowBuilder: Sendable {
    /// The workflow's name (not part of its graph hash).
    public var name: String
    /// The executor a run's input goes to.
    public var start: String
    /// Superstep budget of each run (default 100).
    public var maxSupersteps: Int = 100
    /// How long one run may take, in seconds (nil: no bound).
    public var runTimeout: Double?
    /// A JSON Schema every run's input must satisfy (the instance's validator checks it).
    public var inputSchema: JSON?
    /// If set, only these executors' yields count as workflow outputs.
    public var outputExecutors: Set<String>?

    private var executors: [(id: String, kind: String, config: JSON, retry: RetryPolicy?, factory: Workflow.Factory)] = []
    private var edges: [Edge] = []

    /// Starts a workflow named `name` whose runs begin at executor `start`.
    public init(name: String, start: String) {
        self.name = name
        self.start = start
    }

    /// Adds an executor. `kind` and `config` describe its behaviour for the graph hash; `factory`
    /// is called for every instance (and on every reset), so instances never share executors.
    /// With `retry`, a failed invocation is tried again as the policy says.
    public mutating func addExecutor(_ id: String, kind: String = "", config: JSON = .null, retry: RetryPolicy? = nil,
                                     _ factory: @escaping Workflow.Factory) {
        executors.append((id, kind, config, retry, factory))
    }

    /// Adds a direct edge (a self-loop when `from == to`), optionally conditional.
    public mutating func addEdge(from: String, to: String, when condition: EdgeCondition? = nil) {
        edges.append(.direct(from: from, to: to, condition: condition))
    }

    /// Adds a fan-out edge to every target, or to those `selection` picks.
    public mutating func addFanOut(from: String, to targets: [String], select selection: EdgeSelection? = nil) {
        edges.append(.fanOut(from: from, to: targets, selection: selection))
    }

    /// Adds a switch: cases in order, first match wins, `defaultTarget` otherwise (required).
    public mutating func addSwitch(from: String, cases: [SwitchCase], default defaultTarget: String?) {
        edges.append(.switchCase(from: from, cases: cases, defaultTarget: defaultTarget))
    }

    /// Adds a fan-in: `target` fires once every source has delivered, with one value per source
    /// in source order. The wait spans supersteps; the buffer is checkpointed edge state.
    public mutating func addFanIn(from sources: [String], to target: String) {
        edges.append(.fanIn(from: sources, to: target))
    }

    /// Adds any edge group.
    public mutating func add(_ edge: Edge) { edges.append(edge) }

    /// Validates the graph.
    /// - Throws: ``WorkflowError`` with code `invalidGraph` listing every problem found.
    public func build() throws(WorkflowError) -> Workflow {
        let problems = validate()
        guard problems.isEmpty else {
            throw WorkflowError(.invalidGraph, "workflow '\(name)' is invalid: " + problems.joined(separator: "; "),
                                details: ["workflow": .string(name), "problems": .array(problems.map { .string($0) })])
        }
        return Workflow(name: name, start: start, maxSupersteps: maxSupersteps, runTimeout: runTimeout, inputSchema: inputSchema, executors: executors, edges: edges,
                        outputExecutors: outputExecutors)
    }

    /// Executor ids name edges (`a->b`, `[a,b]->c`, `switch:a`), checkpoint keys and child
    /// instances (`parent/child`), so they are 1 to 128 characters without `[`, `]`, `,`, `>`,
    /// `:`, `/`, whitespace or control characters: no two edges can then share an id.
    static func idProblem(_ id: String) -> String? {
        if id.isEmpty { return "an executor has an empty id" }
        if id.unicodeScalars.count > 128 { return "executor id '\(id.prefix(40))…' is longer than 128 characters" }
        for scalar in id.unicodeScalars where "[],>:/".unicodeScalars.contains(scalar) || scalar.properties.isWhitespace
            || scalar.value < 0x20 || scalar.value == 0x7F {
            return "executor id '\(id)' contains '\(scalar.escaped(asASCII: true))' (ids may not contain [ ] , > : / whitespace or control characters)"
        }
        return nil
    }

    /// Every problem with the graph, in a stable order; empty when it is valid.
    public func validate() -> [String] {
        var problems: [String] = []
        var known = Set<String>()
        for executor in executors {
            if let problem = Self.idProblem(executor.id) { problems.append(problem) }
            if !known.insert(executor.id).inserted { problems.append("executor '\(executor.id)' is defined twice") }
        }
        if executors.isEmpty { problems.append("the workflow has no executors") }
        if !known.contains(start) { problems.append("start executor '\(start)' is not defined") }
        if maxSupersteps < 1 { problems.append("maxSupersteps must be at least 1 (got \(maxSupersteps))") }
        if let runTimeout, !(runTimeout.isFinite && runTimeout > 0) { problems.append("runTimeout must be a positive number of seconds (got \(runTimeout))") }
        for id in (outputExecutors ?? []).sorted() where !known.contains(id) {
            problems.append("output executor '\(id)' is not defined")
        }

        var pairs: [String: String] = [:]  // "a->b" -> edge id that first used it
        var edgeIDs = Set<String>()
        for (index, edge) in edges.enumerated() {
            let label = "edge \(index + 1) (\(edge.id))"
            for id in edge.sources + edge.targets where !known.contains(id) {
                problems.append("\(label): unknown executor '\(id)'")
            }
            switch edge {
            case .fanIn(let from, _):
                if Set(from).count < 2 { problems.append("\(label): a fan-in needs at least two distinct sources") }
                if Set(from).count != from.count { problems.append("\(label): a fan-in lists a source twice") }
            case .fanOut(_, let to, _):
                if to.isEmpty { problems.append("\(label): a fan-out needs at least one target") }
                if Set(to).count != to.count { problems.append("\(label): a fan-out lists a target twice") }
            case .switchCase(_, let cases, let defaultTarget):
                if defaultTarget == nil { problems.append("\(label): a switch needs a default") }
                if cases.isEmpty { problems.append("\(label): a switch needs at least one case") }
            case .direct:
                break
            }
            let duplicateID = !edgeIDs.insert(edge.id).inserted
            let before = problems.count
            var edgePairs = Set<String>()
            for source in edge.sources { for target in edge.targets { edgePairs.insert("\(source) -> \(target)") } }
            for pair in edgePairs.sorted() {
                if let first = pairs[pair] {
                    problems.append("\(label): duplicate edge \(pair) (already in \(first))")
                } else {
                    pairs[pair] = "edge \(index + 1)"
                }
            }
            // Two edges with one id are also two edges between the same executors, said above.
            if duplicateID && problems.count == before { problems.append("\(label): another edge has the same id '\(edge.id)'") }
        }

        // Reachability from start; a fan-in's target is reached only once all its sources are.
        if known.contains(start) {
            var reached: Set<String> = [start]
            var changed = true
            while changed {
                changed = false
                for edge in edges {
                    let sources = edge.sources
                    let fires: Bool
                    if case .fanIn = edge { fires = sources.allSatisfy(reached.contains) } else { fires = sources.contains(where: reached.contains) }
                    guard fires else { continue }
                    for target in edge.targets where known.contains(target) && !reached.contains(target) {
                        reached.insert(target)
                        changed = true
                    }
                }
            }
            let unreachable = executors.map(\.id).filter { !reached.contains($0) && !$0.isEmpty }
            if !unreachable.isEmpty {
                problems.append("unreachable from start '\(start)': " + Set(unreachable).sorted().joined(separator: ", "))
            }
        }
        return problems
    }
}

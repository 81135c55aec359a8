import WorkflowJSON

/// A workflow definition as a graph to draw: executors with their kind, and edges with their
/// shape (direct, fan-out, fan-in, switch) and conditions; sub-workflows nested. Built from a
/// definition's document (as the daemon answers it with `definition.get` or `instance.graph`, or
/// as read from a file), so it needs no engine.
///
/// ```swift
/// let graph = WorkflowGraph(document: info.document!)
/// print(GraphRenderer.render(graph, as: .mermaid))
/// ```
public struct WorkflowGraph: Sendable, Hashable {
    /// An executor.
    public struct Node: Sendable, Hashable {
        public var id: String
        public var kind: String
        /// What it runs or asks: a command, a prompt, an expression, a definition's name.
        public var detail: String?
        /// For a `workflow` executor whose definition is known: its graph.
        public var subgraph: WorkflowGraph?
    }

    /// An edge of the definition.
    public struct Edge: Sendable, Hashable {
        public enum Shape: Sendable, Hashable {
            /// One target, with an optional condition.
            case direct(when: String?)
            /// To every target, or to those a selection names.
            case fanOut(select: String?)
            /// The target fires once every source has delivered.
            case fanIn
            /// Ordered cases, the first match wins; the last without a condition is the default.
            case switchCases([(when: String?, to: [String])])
            /// Between an `llm` step and one of its tools (a call, or its result): the daemon adds
            /// these when the definition does not write them.
            case tool

            public static func == (lhs: Shape, rhs: Shape) -> Bool {
                switch (lhs, rhs) {
                case (.direct(let a), .direct(let b)): a == b
                case (.fanOut(let a), .fanOut(let b)): a == b
                case (.fanIn, .fanIn): true
                case (.switchCases(let a), .switchCases(let b)): a.count == b.count && zip(a, b).allSatisfy { $0.when == $1.when && $0.to == $1.to }
                case (.tool, .tool): true
                default: false
                }
            }

            public func hash(into hasher: inout Hasher) {
                switch self {
                case .direct(let when): hasher.combine(0); hasher.combine(when)
                case .fanOut(let select): hasher.combine(1); hasher.combine(select)
                case .fanIn: hasher.combine(2)
                case .switchCases(let cases): hasher.combine(3); for item in cases { hasher.combine(item.when); hasher.combine(item.to) }
                case .tool: hasher.combine(4)
                }
            }
        }

        public var from: [String]
        /// The targets (for a switch: every case's, in order).
        public var to: [String]
        public var shape: Shape
    }

    public var name: String
    public var description: String?
    public var start: String
    public var outputs: [String]
    /// Executors, the start first, then by id.
    public var nodes: [Node]
    public var edges: [Edge]

    /// Reads a definition document. `subDefinitions` are the documents of the definitions its
    /// `workflow` executors run (by name); those are drawn nested, at most `depth` levels deep.
    public init(document: JSON, subDefinitions: [String: JSON] = [:], depth: Int = 4) {
        name = document["name"]?.stringValue ?? "workflow"
        description = document["description"]?.stringValue
        start = document["start"]?.stringValue ?? ""
        let executors = document["executors"]?.objectValue ?? [:]
        outputs = document["outputs"]?.arrayValue?.compactMap(\.stringValue) ?? executors.filter { $0.value["kind"]?.stringValue == "output" }.keys.sorted()
        let start = self.start
        nodes = executors.keys.sorted { ($0 == start ? 0 : 1, $0) < ($1 == start ? 0 : 1, $1) }.map { id in
            let spec = executors[id] ?? [:]
            let kind = spec["kind"]?.stringValue ?? "?"
            var node = Node(id: id, kind: kind, detail: Self.detail(kind: kind, spec), subgraph: nil)
            if kind == "workflow", depth > 0, let name = spec["definition"]?.stringValue, let sub = subDefinitions[name] {
                node.subgraph = WorkflowGraph(document: sub, subDefinitions: subDefinitions, depth: depth - 1)
            }
            return node
        }
        edges = (document["edges"]?.arrayValue ?? []).compactMap(Self.edge)
        // An llm step and its tools talk along edges the daemon adds where none is written.
        for id in executors.keys.sorted() where executors[id]?["kind"]?.stringValue == "llm" {
            for tool in executors[id]?["tools"]?.arrayValue ?? [] {
                guard let executor = tool["executor"]?.stringValue, executors[executor] != nil else { continue }
                if !edges.contains(where: { $0.from.contains(id) && $0.to.contains(executor) }) {
                    edges.append(Edge(from: [id], to: [executor], shape: .tool))
                }
                if !edges.contains(where: { $0.from.contains(executor) && $0.to.contains(id) }) {
                    edges.append(Edge(from: [executor], to: [id], shape: .tool))
                }
            }
        }
    }

    /// The node with this id.
    public func node(_ id: String) -> Node? { nodes.first { $0.id == id } }

    private static func strings(_ value: JSON?) -> [String] {
        switch value {
        case .string(let text)?: [text]
        case .array(let list)?: list.compactMap(\.stringValue)
        default: []
        }
    }

    private static func edge(_ spec: JSON) -> Edge? {
        let from = strings(spec["from"])
        guard !from.isEmpty else { return nil }
        if case .array? = spec["from"] {
            return Edge(from: from, to: strings(spec["to"]), shape: .fanIn)
        }
        if let cases = spec["switch"]?.arrayValue {
            let parsed: [(when: String?, to: [String])] = cases.map { entry in
                if let target = entry["default"] { return (nil, strings(target)) }
                return (entry["when"]?.stringValue, strings(entry["to"]))
            }
            return Edge(from: from, to: parsed.flatMap(\.to), shape: .switchCases(parsed))
        }
        if case .array? = spec["to"] {
            return Edge(from: from, to: strings(spec["to"]), shape: .fanOut(select: spec["select"]?.stringValue))
        }
        return Edge(from: from, to: strings(spec["to"]), shape: .direct(when: spec["when"]?.stringValue))
    }

    private static func detail(kind: String, _ spec: JSON) -> String? {
        switch kind {
        case "exec", "worker":
            return strings(spec["command"]).joined(separator: " ")
        case "request":
            return spec["prompt"]?.stringValue ?? spec["payload"]?.stringValue
        case "transform":
            return spec["expression"]?.stringValue
        case "workflow":
            return spec["definition"]?.stringValue
        case "join":
            return spec["merge"]?.boolValue == true ? "merge" : nil
        case "llm":
            return spec["model"]?.stringValue
        default:
            return nil
        }
    }
}

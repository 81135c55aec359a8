/// The picture before it is written in a format: boxes, junctions and arrows with unique ids.
struct Scene {
    enum Shape { case exec, worker, request, transform, join, output, workflow, other, switchJunction, fanInJunction, selectJunction }

    struct Box {
        var id: String
        var title: String
        var subtitle: String
        var shape: Shape
        var start = false
        var output = false
        var holding = 0
        var waiting = false
        var visited = false
    }

    struct Arrow {
        var from: String
        var to: String
        var label: String?
        var highlighted = false
        var dashed = false
    }

    struct Cluster {
        var id: String
        var title: String
        var scene: Scene
    }

    var title: String
    var boxes: [Box] = []
    var arrows: [Arrow] = []
    var clusters: [Cluster] = []
    var hasState: Bool

    init(_ graph: WorkflowGraph, state: GraphState?, prefix: String = "") {
        title = graph.name
        hasState = state != nil
        var ids: [String: String] = [:]
        func id(_ executor: String) -> String {
            if let known = ids[executor] { return known }
            let clean = String(executor.map { $0.isLetter || $0.isNumber ? $0 : "_" })
            var candidate = prefix + "x_" + clean
            while ids.values.contains(candidate) { candidate += "_" }
            ids[executor] = candidate
            return candidate
        }
        let shapes: [String: Shape] = ["exec": .exec, "worker": .worker, "request": .request, "transform": .transform, "join": .join,
                                       "output": .output, "workflow": .workflow]
        let visited = state?.visited ?? []
        for node in graph.nodes {
            var box = Box(id: id(node.id), title: node.id, subtitle: node.kind + (node.detail.map { ": " + Self.shorten($0, limit: 36) } ?? ""),
                          shape: shapes[node.kind] ?? .other)
            box.start = node.id == graph.start
            box.output = graph.outputs.contains(node.id)
            box.holding = state?.holding[node.id] ?? 0
            box.waiting = state?.waiting.contains(node.id) ?? false
            box.visited = visited.contains(node.id)
            boxes.append(box)
            if let sub = node.subgraph {
                let inner = Scene(sub, state: nil, prefix: box.id + "__")
                clusters.append(Cluster(id: box.id + "__sub", title: "\(sub.name) (sub-workflow of \(node.id))", scene: inner))
                if let first = inner.boxes.first { arrows.append(Arrow(from: box.id, to: first.id, label: "runs", dashed: true)) }
            }
        }
        func known(_ executor: String) -> String {
            if ids[executor] == nil {  // an edge to an executor the document does not have: drawn, marked
                boxes.append(Box(id: id(executor), title: executor, subtitle: "unknown", shape: .other))
            }
            return id(executor)
        }
        func traversed(_ from: String, _ to: String, fanIn: Bool = false) -> Bool {
            state?.traversed(from: from, to: to, fanIn: fanIn) ?? false
        }
        for (index, edge) in graph.edges.enumerated() {
            switch edge.shape {
            case .direct(let when):
                for source in edge.from {
                    for target in edge.to {
                        arrows.append(Arrow(from: known(source), to: known(target), label: when.map { Self.shorten($0) },
                                            highlighted: traversed(source, target)))
                    }
                }
            case .fanOut(let select):
                guard let source = edge.from.first else { continue }
                if let select {
                    let junction = prefix + "select_\(index)"
                    boxes.append(Box(id: junction, title: "select", subtitle: Self.shorten(select), shape: .selectJunction))
                    let any = edge.to.contains { traversed(source, $0) }
                    arrows.append(Arrow(from: known(source), to: junction, label: "fan-out", highlighted: any))
                    for target in edge.to { arrows.append(Arrow(from: junction, to: known(target), highlighted: traversed(source, target))) }
                } else {
                    for target in edge.to {
                        arrows.append(Arrow(from: known(source), to: known(target), label: "fan-out", highlighted: traversed(source, target)))
                    }
                }
            case .fanIn:
                guard let target = edge.to.first else { continue }
                let junction = prefix + "fanin_\(index)"
                boxes.append(Box(id: junction, title: "all of \(edge.from.count)", subtitle: "fan-in", shape: .fanInJunction))
                for source in edge.from {
                    arrows.append(Arrow(from: known(source), to: junction, highlighted: traversed(source, target, fanIn: true)))
                }
                arrows.append(Arrow(from: junction, to: known(target), highlighted: edge.from.contains { traversed($0, target, fanIn: true) }))
            case .tool:
                guard let source = edge.from.first, let target = edge.to.first else { continue }
                arrows.append(Arrow(from: known(source), to: known(target), label: "tool", highlighted: traversed(source, target), dashed: true))
            case .switchCases(let cases):
                guard let source = edge.from.first else { continue }
                let junction = prefix + "switch_\(index)"
                boxes.append(Box(id: junction, title: "switch", subtitle: "first match", shape: .switchJunction))
                arrows.append(Arrow(from: known(source), to: junction, highlighted: edge.to.contains { traversed(source, $0) }))
                for (number, entry) in cases.enumerated() {
                    let label = entry.when.map { "\(number + 1). " + Self.shorten($0) } ?? "default"
                    for target in entry.to {
                        arrows.append(Arrow(from: junction, to: known(target), label: label, highlighted: traversed(source, target)))
                    }
                }
            }
        }
    }

    /// Long details cut to fit a box.
    static func shorten(_ text: String, limit: Int = 48) -> String {
        let flat = text.replacing("\n", with: " ")
        return flat.count <= limit ? flat : String(flat.prefix(limit - 1)) + "…"
    }

    func marks(_ box: Box) -> [String] {
        var marks: [String] = []
        if box.start { marks.append("start") }
        if box.waiting { marks.append("waiting on a person") }
        if box.holding > 0 { marks.append("\(box.holding) message\(box.holding == 1 ? "" : "s") waiting") }
        return marks
    }
}

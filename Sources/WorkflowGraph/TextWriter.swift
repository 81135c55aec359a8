/// A graph as plain text for a terminal: the executors in a table, then the edges, with the
/// instance's state marked.
struct TextWriter {
    let graph: WorkflowGraph
    let state: GraphState?

    var text: String {
        var lines: [String] = []
        write(graph, into: &lines, indent: "")
        if let state {
            var summary = "status: \(state.status ?? "?")"
            if let run = state.runId { summary += "; run \(run) (\(state.runStatus ?? "?")) went through \(path(state))" }
            lines.append(summary)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func path(_ state: GraphState) -> String {
        var seen: [String] = []
        for invocation in state.invocations where seen.last != invocation.executor { seen.append(invocation.executor) }
        if seen.count > 12 { seen = Array(seen.prefix(6)) + ["…"] + Array(seen.suffix(5)) }
        return seen.isEmpty ? "no executor yet" : seen.joined(separator: " → ")
    }

    private func write(_ graph: WorkflowGraph, into lines: inout [String], indent: String) {
        lines.append(indent + graph.name + (graph.description.map { " — \($0)" } ?? ""))
        let state = indent.isEmpty ? self.state : nil
        let idWidth = graph.nodes.map(\.id.count).max() ?? 0
        let kindWidth = graph.nodes.map(\.kind.count).max() ?? 0
        lines.append(indent + "executors:")
        for node in graph.nodes {
            var marks: [String] = []
            if node.id == graph.start { marks.append("start") }
            if graph.outputs.contains(node.id) { marks.append("output") }
            if let state {
                if state.visited.contains(node.id) { marks.append("ran") }
                if let count = state.holding[node.id], count > 0 { marks.append("\(count) message\(count == 1 ? "" : "s") waiting") }
                if state.waiting.contains(node.id) { marks.append("WAITING ON A PERSON") }
            }
            let pointer = node.id == graph.start ? "▶ " : "  "
            var line = indent + "  " + pointer + pad(node.id, idWidth) + "  " + pad(node.kind, kindWidth)
            if let detail = node.detail { line += "  " + Scene.shorten(detail, limit: 60) }
            if !marks.isEmpty { line += "  [" + marks.joined(separator: ", ") + "]" }
            lines.append(line)
            if let sub = node.subgraph {
                write(sub, into: &lines, indent: indent + "      ")
            }
        }
        lines.append(indent + "edges:")
        for edge in graph.edges {
            let ran: (String, String, Bool) -> String = { from, to, fanIn in
                (state?.traversed(from: from, to: to, fanIn: fanIn) ?? false) ? "  ✓" : ""
            }
            switch edge.shape {
            case .direct(let when):
                for target in edge.to {
                    lines.append(indent + "  \(edge.from[0]) → \(target)" + (when.map { "  when \($0)" } ?? "") + ran(edge.from[0], target, false))
                }
            case .fanOut(let select):
                lines.append(indent + "  \(edge.from[0]) → [\(edge.to.joined(separator: ", "))]  fan-out" + (select.map { ", select \($0)" } ?? " to all")
                             + ran(edge.from[0], edge.to.first ?? "", false))
            case .fanIn:
                let target = edge.to.first ?? "?"
                lines.append(indent + "  [\(edge.from.joined(separator: ", "))] → \(target)  fan-in (fires once all have delivered)"
                             + ran(edge.from[0], target, true))
            case .tool:
                for target in edge.to {
                    lines.append(indent + "  \(edge.from[0]) ⇢ \(target)  (tool)" + ran(edge.from[0], target, false))
                }
            case .switchCases(let cases):
                lines.append(indent + "  \(edge.from[0]) → switch (first match wins)")
                for (number, entry) in cases.enumerated() {
                    for target in entry.to {
                        let condition = entry.when.map { "\(number + 1). when \($0)" } ?? "default"
                        lines.append(indent + "      \(condition) → \(target)" + ran(edge.from[0], target, false))
                    }
                }
            }
        }
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
    }
}

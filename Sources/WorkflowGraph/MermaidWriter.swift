/// A scene as a Mermaid flowchart (GitHub and most Markdown viewers draw it).
struct MermaidWriter {
    let scene: Scene

    var text: String {
        var lines = ["---", "title: \(Self.escape(scene.title))", "---", "flowchart LR"]
        var arrowIndex = 0
        var highlighted: [Int] = []
        write(scene, into: &lines, indent: "  ", arrowIndex: &arrowIndex, highlighted: &highlighted)
        lines.append("  classDef start stroke-width:3px")
        lines.append("  classDef visited fill:#dbeafe,stroke:#1d4ed8")
        lines.append("  classDef waiting fill:#fef3c7,stroke:#b45309,stroke-width:3px")
        lines.append("  classDef holding fill:#dcfce7,stroke:#15803d,stroke-width:3px")
        lines.append("  classDef junction fill:#f3f4f6,stroke:#6b7280")
        if !highlighted.isEmpty {
            lines.append("  linkStyle \(highlighted.map(String.init).joined(separator: ",")) stroke:#1d4ed8,stroke-width:3px")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func write(_ scene: Scene, into lines: inout [String], indent: String, arrowIndex: inout Int, highlighted: inout [Int]) {
        for box in scene.boxes {
            lines.append(indent + node(box, scene: scene))
            var classes: [String] = []
            if box.start { classes.append("start") }
            if box.visited { classes.append("visited") }
            if box.holding > 0 { classes.append("holding") }
            if box.waiting { classes.append("waiting") }
            if [.switchJunction, .fanInJunction, .selectJunction].contains(box.shape) { classes.append("junction") }
            for name in classes { lines.append(indent + "class \(box.id) \(name)") }
        }
        for cluster in scene.clusters {
            lines.append(indent + "subgraph \(cluster.id) [\"\(Self.escape(cluster.title))\"]")
            write(cluster.scene, into: &lines, indent: indent + "  ", arrowIndex: &arrowIndex, highlighted: &highlighted)
            lines.append(indent + "end")
        }
        for arrow in scene.arrows {
            let link = arrow.dashed ? "-.->" : (arrow.highlighted ? "==>" : "-->")
            let label = arrow.label.map { "|\"\(Self.escape($0))\"|" } ?? ""
            lines.append(indent + "\(arrow.from) \(link)\(label) \(arrow.to)")
            if arrow.highlighted { highlighted.append(arrowIndex) }
            arrowIndex += 1
        }
    }

    private func node(_ box: Scene.Box, scene: Scene) -> String {
        var label = "<b>\(Self.escape(box.title))</b><br/>\(Self.escape(box.subtitle))"
        for mark in scene.marks(box) where mark != "start" { label += "<br/><i>\(Self.escape(mark))</i>" }
        let text = "\"" + label + "\""
        switch box.shape {
        case .exec, .other: return "\(box.id)[\(text)]"
        case .worker: return "\(box.id)([\(text)])"
        case .request: return "\(box.id){{\(text)}}"
        case .transform: return "\(box.id)[/\(text)/]"
        case .join: return "\(box.id)((\(text)))"
        case .output: return "\(box.id)>\(text)]"
        case .workflow: return "\(box.id)[[\(text)]]"
        case .switchJunction: return "\(box.id){\"switch\"}"
        case .fanInJunction: return "\(box.id)((\"\(Self.escape(box.title))\"))"
        case .selectJunction: return "\(box.id){\"select: \(Self.escape(box.subtitle))\"}"
        }
    }

    /// Text safe inside a quoted Mermaid label (quotes and markup as entities).
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "\"": out += "#quot;"
            case "<": out += "#lt;"
            case ">": out += "#gt;"
            case "&": out += "#amp;"
            case "`": out += "#96;"
            case "|": out += "#124;"
            default: out.append(character)
            }
        }
        return out
    }
}

/// A scene as Graphviz DOT (`dot -Tsvg` draws it).
struct DotWriter {
    let scene: Scene

    var text: String {
        var lines = ["digraph \(Self.quote(scene.title)) {", "  rankdir=LR;", "  labelloc=t;", "  label=\(Self.quote(scene.title));",
                     "  node [fontname=\"Helvetica\", fontsize=11, style=filled, fillcolor=white];",
                     "  edge [fontname=\"Helvetica\", fontsize=9];"]
        write(scene, into: &lines, indent: "  ")
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    private func write(_ scene: Scene, into lines: inout [String], indent: String) {
        for box in scene.boxes {
            var attributes: [(String, String)] = [("label", Self.quote(label(box, scene: scene))), ("shape", shape(box.shape))]
            if box.waiting {
                attributes += [("fillcolor", "\"#fef3c7\""), ("color", "\"#b45309\""), ("penwidth", "3")]
            } else if box.holding > 0 {
                attributes += [("fillcolor", "\"#dcfce7\""), ("color", "\"#15803d\""), ("penwidth", "3")]
            } else if box.visited {
                attributes += [("fillcolor", "\"#dbeafe\""), ("color", "\"#1d4ed8\"")]
            }
            if box.start { attributes.append(("peripheries", "2")) }
            if box.shape == .fanInJunction || box.shape == .switchJunction || box.shape == .selectJunction {
                attributes += [("fillcolor", "\"#f3f4f6\""), ("fontsize", "9")]
            }
            lines.append(indent + "\(Self.quote(box.id)) [" + attributes.map { "\($0.0)=\($0.1)" }.joined(separator: ", ") + "];")
        }
        for cluster in scene.clusters {
            lines.append(indent + "subgraph \(Self.quote("cluster_" + cluster.id)) {")
            lines.append(indent + "  label=\(Self.quote(cluster.title));")
            lines.append(indent + "  style=dashed;")
            write(cluster.scene, into: &lines, indent: indent + "  ")
            lines.append(indent + "}")
        }
        for arrow in scene.arrows {
            var attributes: [String] = []
            if let label = arrow.label { attributes.append("label=\(Self.quote(label))") }
            if arrow.highlighted { attributes += ["color=\"#1d4ed8\"", "penwidth=3"] }
            if arrow.dashed { attributes.append("style=dashed") }
            lines.append(indent + "\(Self.quote(arrow.from)) -> \(Self.quote(arrow.to))" + (attributes.isEmpty ? "" : " [" + attributes.joined(separator: ", ") + "]") + ";")
        }
    }

    private func label(_ box: Scene.Box, scene: Scene) -> String {
        switch box.shape {
        case .switchJunction: return "switch"
        case .fanInJunction: return box.title
        case .selectJunction: return "select\n" + box.subtitle
        default: return ([box.title, box.subtitle] + scene.marks(box).filter { $0 != "start" }).joined(separator: "\n")
        }
    }

    private func shape(_ shape: Scene.Shape) -> String {
        switch shape {
        case .exec, .other: "box"
        case .worker: "component"
        case .request: "hexagon"
        case .transform: "parallelogram"
        case .join: "circle"
        case .output: "cds"
        case .workflow: "tab"
        case .switchJunction: "diamond"
        case .fanInJunction: "circle"
        case .selectJunction: "diamond"
        }
    }

    /// A DOT string literal (quotes and backslashes escaped, newlines as `\n`).
    static func quote(_ text: String) -> String {
        var out = "\""
        for character in text {
            switch character {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out + "\""
    }
}

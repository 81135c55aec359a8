/// A scene as a standalone SVG picture, laid out here (no Graphviz needed): executors in rows by
/// their distance from the start, arrows between them, the live marks as classes a style sheet
/// (or the defaults written into the picture) colours.
///
/// The layout is deliberately simple and stable: a box's row is its shortest distance from the
/// start (so a loop's way back is an arrow drawn up the side, not a row of its own), boxes keep
/// the document's order within a row. Sub-workflows are drawn as their executor; the other
/// formats nest them.
struct SVGWriter {
    let scene: Scene

    static let boxWidth = 168.0, boxHeight = 50.0, columnGap = 28.0, rowGap = 56.0, margin = 24.0

    var text: String {
        let ids = Set(scene.boxes.map(\.id))
        let arrows = scene.arrows.filter { ids.contains($0.from) && ids.contains($0.to) }
        let rows = Self.rows(boxes: scene.boxes, arrows: arrows)
        var position: [String: (x: Double, y: Double)] = [:]
        let widest = rows.map(\.count).max() ?? 1
        let width = Self.margin * 2 + Double(widest) * Self.boxWidth + Double(max(widest - 1, 0)) * Self.columnGap + 60
        for (row, members) in rows.enumerated() {
            let used = Double(members.count) * Self.boxWidth + Double(max(members.count - 1, 0)) * Self.columnGap
            let left = (width - 60 - used) / 2
            for (column, box) in members.enumerated() {
                position[box.id] = (left + Double(column) * (Self.boxWidth + Self.columnGap),
                                    Self.margin + 28 + Double(row) * (Self.boxHeight + Self.rowGap))
            }
        }
        let height = Self.margin * 2 + 28 + Double(rows.count) * Self.boxHeight + Double(max(rows.count - 1, 0)) * Self.rowGap
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"workflow-graph\" viewBox=\"0 0 \(Self.number(width)) \(Self.number(height))\""
            + " width=\"\(Self.number(width))\" height=\"\(Self.number(height))\" role=\"img\" aria-label=\"\(Self.escape("workflow " + scene.title))\">\n"
        out += "<title>\(Self.escape(scene.title))</title>\n"
        out += Self.style
        out += "<defs><marker id=\"arrowhead\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\">"
            + "<path d=\"M 0 0 L 10 5 L 0 10 z\" class=\"head\"/></marker></defs>\n"
        out += "<text class=\"caption\" x=\"\(Self.number(Self.margin))\" y=\"\(Self.number(Self.margin + 6))\">\(Self.escape(scene.title))</text>\n"
        // Arrows first, so boxes are drawn over their ends.
        var sideLane = 0.0
        for arrow in arrows {
            guard let from = position[arrow.from], let to = position[arrow.to] else { continue }
            var classes = ["edge"]
            if arrow.highlighted { classes.append("taken") }
            if arrow.dashed { classes.append("dashed") }
            let path: String
            let labelAt: (x: Double, y: Double)
            if to.y > from.y {
                let start = (from.x + Self.boxWidth / 2, from.y + Self.boxHeight), end = (to.x + Self.boxWidth / 2, to.y)
                path = "M \(Self.number(start.0)) \(Self.number(start.1)) L \(Self.number(end.0)) \(Self.number(end.1))"
                labelAt = ((start.0 + end.0) / 2 + 4, (start.1 + end.1) / 2)
            } else {
                // Back (or sideways) to a row above: around the right-hand side, each in its own lane.
                sideLane += 10
                let lane = width - 60 + sideLane.truncatingRemainder(dividingBy: 50)
                let start = (from.x + Self.boxWidth, from.y + Self.boxHeight / 2), end = (to.x + Self.boxWidth, to.y + Self.boxHeight / 2)
                path = "M \(Self.number(start.0)) \(Self.number(start.1)) C \(Self.number(lane)) \(Self.number(start.1)) \(Self.number(lane)) \(Self.number(end.1)) \(Self.number(end.0)) \(Self.number(end.1))"
                labelAt = (lane - 40, (start.1 + end.1) / 2)
            }
            out += "<g class=\"\(classes.joined(separator: " "))\" data-from=\"\(Self.escape(arrow.from))\" data-to=\"\(Self.escape(arrow.to))\">"
                + "<path d=\"\(path)\" marker-end=\"url(#arrowhead)\"/>"
            if let label = arrow.label {
                out += "<text x=\"\(Self.number(labelAt.x))\" y=\"\(Self.number(labelAt.y))\">\(Self.escape(label))</text>"
            }
            out += "</g>\n"
        }
        for row in rows {
            for box in row {
                guard let at = position[box.id] else { continue }
                out += node(box, x: at.x, y: at.y)
            }
        }
        out += "</svg>\n"
        return out
    }

    private func node(_ box: Scene.Box, x: Double, y: Double) -> String {
        var classes = ["node", "kind-\(Self.kind(box.shape))"]
        if box.start { classes.append("start") }
        if box.waiting { classes.append("waiting") }
        if box.holding > 0 { classes.append("holding") }
        if box.visited { classes.append("visited") }
        let marks = scene.marks(box)
        let junction = box.shape == .fanInJunction || box.shape == .switchJunction || box.shape == .selectJunction
        var out = "<g class=\"\(classes.joined(separator: " "))\" data-executor=\"\(Self.escape(box.title))\" transform=\"translate(\(Self.number(x)) \(Self.number(y)))\">"
        out += "<title>\(Self.escape(([box.title, box.subtitle] + marks).joined(separator: " — ")))</title>"
        out += "<rect width=\"\(Self.number(Self.boxWidth))\" height=\"\(Self.number(Self.boxHeight))\" rx=\"\(junction ? 25 : 6)\"/>"
        out += "<text class=\"name\" x=\"10\" y=\"20\">\(Self.escape(Scene.shorten(box.title, limit: 22)))</text>"
        out += "<text class=\"detail\" x=\"10\" y=\"38\">\(Self.escape(Scene.shorten(box.subtitle, limit: 26)))</text>"
        if box.holding > 0 {
            out += "<g class=\"badge\"><circle cx=\"\(Self.number(Self.boxWidth - 4))\" cy=\"4\" r=\"10\"/>"
                + "<text x=\"\(Self.number(Self.boxWidth - 4))\" y=\"8\" text-anchor=\"middle\">\(box.holding)</text></g>"
        }
        if box.waiting {
            out += "<text class=\"mark\" x=\"\(Self.number(Self.boxWidth - 10))\" y=\"20\" text-anchor=\"end\">waiting</text>"
        }
        return out + "</g>\n"
    }

    /// Rows by shortest distance from the start box (the first box); boxes no arrow reaches from
    /// it come after, one row each group, in the document's order.
    static func rows(boxes: [Scene.Box], arrows: [Scene.Arrow]) -> [[Scene.Box]] {
        guard let first = boxes.first(where: \.start) ?? boxes.first else { return [] }
        var next: [String: [String]] = [:]
        for arrow in arrows { next[arrow.from, default: []].append(arrow.to) }
        var distance: [String: Int] = [first.id: 0]
        var queue = [first.id], head = 0
        while head < queue.count {
            let id = queue[head]
            head += 1
            for target in next[id] ?? [] where distance[target] == nil {
                distance[target] = (distance[id] ?? 0) + 1
                queue.append(target)
            }
        }
        let deepest = distance.values.max() ?? 0
        var rows = Array(repeating: [Scene.Box](), count: deepest + 1)
        var unreached: [Scene.Box] = []
        for box in boxes {
            if let row = distance[box.id] { rows[row].append(box) } else { unreached.append(box) }
        }
        if !unreached.isEmpty { rows.append(unreached) }
        return rows
    }

    private static func kind(_ shape: Scene.Shape) -> String {
        switch shape {
        case .exec: "exec"
        case .worker: "worker"
        case .request: "request"
        case .transform: "transform"
        case .join: "join"
        case .output: "output"
        case .workflow: "workflow"
        case .other: "other"
        case .switchJunction: "switch"
        case .fanInJunction: "fan-in"
        case .selectJunction: "select"
        }
    }

    /// Defaults, so that the picture reads the same on its own as inside the console (whose style
    /// sheet may refine them).
    private static let style = """
        <style>
        .workflow-graph { font: 12px system-ui, sans-serif; }
        .workflow-graph .caption { font-weight: 600; fill: #111827; }
        .workflow-graph .node rect { fill: #ffffff; stroke: #6b7280; stroke-width: 1.5; }
        .workflow-graph .node.start rect { stroke-width: 3; }
        .workflow-graph .node.visited rect { fill: #dbeafe; stroke: #1d4ed8; }
        .workflow-graph .node.holding rect { fill: #dcfce7; stroke: #15803d; stroke-width: 3; }
        .workflow-graph .node.waiting rect { fill: #fef3c7; stroke: #b45309; stroke-width: 3; }
        .workflow-graph .node .name { font-weight: 600; fill: #111827; }
        .workflow-graph .node .detail { fill: #4b5563; font-size: 10px; }
        .workflow-graph .node .mark { fill: #b45309; font-size: 10px; font-weight: 600; }
        .workflow-graph .badge circle { fill: #15803d; }
        .workflow-graph .badge text { fill: #ffffff; font-size: 10px; font-weight: 700; }
        .workflow-graph .edge path { fill: none; stroke: #6b7280; stroke-width: 1.5; }
        .workflow-graph .edge.taken path { stroke: #1d4ed8; stroke-width: 3; }
        .workflow-graph .edge.dashed path { stroke-dasharray: 5 4; }
        .workflow-graph .edge text { fill: #374151; font-size: 10px; }
        .workflow-graph .head { fill: #6b7280; }
        </style>

        """

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String((value * 10).rounded() / 10)
    }

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}

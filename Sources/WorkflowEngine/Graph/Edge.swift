/// An edge group of a workflow graph (docs/semantics.md §3.4).
public enum Edge: Sendable {
    /// `from` → `to`, optionally only when `condition` holds. A self-loop is `from == to`.
    case direct(from: String, to: String, condition: EdgeCondition?)
    /// `from` → every target (or those `selection` picks).
    case fanOut(from: String, to: [String], selection: EdgeSelection?)
    /// `from` → the first case that matches, else `defaultTarget` (required).
    case switchCase(from: String, cases: [SwitchCase], defaultTarget: String?)
    /// every source → `to`, which fires once each source has delivered, with the values in source order.
    case fanIn(from: [String], to: String)

    var sources: [String] {
        switch self {
        case .direct(let from, _, _), .fanOut(let from, _, _), .switchCase(let from, _, _): [from]
        case .fanIn(let from, _): from
        }
    }

    var targets: [String] {
        switch self {
        case .direct(_, let to, _): [to]
        case .fanOut(_, let to, _): to
        case .switchCase(_, let cases, let defaultTarget): cases.map(\.target) + (defaultTarget.map { [$0] } ?? [])
        case .fanIn(_, let to): [to]
        }
    }

    /// A stable, readable id, also the key of the edge's state in checkpoints.
    var id: String {
        switch self {
        case .direct(let from, let to, _): "\(from)->\(to)"
        case .fanOut(let from, let to, _): "\(from)->[\(to.joined(separator: ","))]"
        case .switchCase(let from, _, _): "switch:\(from)"
        case .fanIn(let from, let to): "[\(from.joined(separator: ","))]->\(to)"
        }
    }

    /// The edge's behaviour as JSON, for the graph hash.
    var signature: JSON {
        switch self {
        case .direct(let from, let to, let condition):
            ["kind": "direct", "from": .string(from), "to": .string(to), "when": condition.map { .string($0.description) } ?? .null]
        case .fanOut(let from, let to, let selection):
            ["kind": "fanOut", "from": .string(from), "to": .array(to.map { .string($0) }),
             "select": selection.map { .string($0.description) } ?? .null]
        case .switchCase(let from, let cases, let defaultTarget):
            ["kind": "switch", "from": .string(from),
             "cases": .array(cases.map { ["when": .string($0.condition.description), "to": .string($0.target)] }),
             "default": defaultTarget.map { .string($0) } ?? .null]
        case .fanIn(let from, let to):
            ["kind": "fanIn", "from": .array(from.map { .string($0) }), "to": .string(to)]
        }
    }
}

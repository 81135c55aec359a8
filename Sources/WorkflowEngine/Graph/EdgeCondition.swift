/// A predicate on an edge, over the message and the shared state as committed at the boundary
/// where the message is routed. Its ``description`` identifies it in the graph hash (a definition
/// passes its JMESPath text), so two workflows that differ only in a condition hash differently.
public struct EdgeCondition: Sendable {
    public let description: String
    let evaluate: @Sendable (_ message: JSON, _ state: JSONObject) throws -> Bool

    public init(_ description: String, _ evaluate: @escaping @Sendable (_ message: JSON, _ state: JSONObject) throws -> Bool) {
        self.description = description
        self.evaluate = evaluate
    }
}

/// Picks which targets of a fan-out get a message. It returns target ids; an id that is not one of
/// the edge's targets is reported in a `warning` event.
public struct EdgeSelection: Sendable {
    public let description: String
    let select: @Sendable (_ message: JSON, _ state: JSONObject, _ targets: [String]) throws -> [String]

    public init(_ description: String,
                _ select: @escaping @Sendable (_ message: JSON, _ state: JSONObject, _ targets: [String]) throws -> [String]) {
        self.description = description
        self.select = select
    }
}

/// One case of a switch edge: the first case whose condition holds gets the message.
public struct SwitchCase: Sendable {
    public let condition: EdgeCondition
    public let target: String

    public init(when condition: EdgeCondition, to target: String) {
        self.condition = condition
        self.target = target
    }
}

/// An edge group of a workflow graph (DESIGN.md §3.4).
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

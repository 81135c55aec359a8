import WorkflowJSON

/// A compiled JMESPath expression tree.
indirect enum Node: Sendable {
    enum Comparator: String, Sendable {
        case eq = "==", ne = "!=", lt = "<", lte = "<=", gt = ">", gte = ">="
    }

    /// `@`, and the implicit right side of projections.
    case identity
    case field(String)
    case subexpression(Node, Node)
    case index(Int)
    case slice(start: Int?, stop: Int?, step: Int?)
    case indexExpression(Node, Node)
    /// A list projection: `left` must be an array; `right` is applied to each element.
    case projection(Node, Node)
    /// An object projection (`*`): `right` is applied to each value.
    case valueProjection(Node, Node)
    case filterProjection(Node, Node, condition: Node)
    case flatten(Node)
    case multiSelectList([Node])
    case multiSelectHash([(key: String, value: Node)])
    case comparator(Comparator, Node, Node)
    case or(Node, Node)
    case and(Node, Node)
    case not(Node)
    case pipe(Node, Node)
    case literal(JSON)
    case function(Function, [Node])
    case expref(Node)
}

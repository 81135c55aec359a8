import WorkflowJSON

/// A function argument: a value, or an expression reference (`&expr`).
enum Argument {
    case value(JSON)
    case expref(Node)
}

extension JSON {
    /// JMESPath truthiness: false, null, "", [] and {} are false; everything else (0 too) is true.
    public var isTruthy: Bool {
        switch self {
        case .null: false
        case .bool(let b): b
        case .string(let s): !s.isEmpty
        case .array(let a): !a.isEmpty
        case .object(let o): !o.isEmpty
        case .number: true
        }
    }
}

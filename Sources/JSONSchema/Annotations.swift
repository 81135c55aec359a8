import WorkflowJSON

/// What a successful evaluation says it looked at (for `unevaluatedProperties`/`unevaluatedItems`).
struct Annotations {
    var properties: Set<String> = []
    /// Items 0..<prefix were evaluated.
    var prefix = 0
    /// Every item was evaluated.
    var allItems = false
    /// Further evaluated item indexes (from `contains`).
    var indexes: Set<Int> = []

    mutating func merge(_ other: Annotations) {
        properties.formUnion(other.properties)
        prefix = max(prefix, other.prefix)
        allItems = allItems || other.allItems
        indexes.formUnion(other.indexes)
    }

    func evaluatedItem(_ index: Int) -> Bool { allItems || index < prefix || indexes.contains(index) }
}

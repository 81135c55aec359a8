

/// A predicate on an edge, over the message and the shared state as committed at the boundary
/// where the message is routed. Its ``description`` identifies it in the graph hash (a definition
/// passes its JMESPath text), so two workflows that differ only in a condition hash differently.
public struct EdgeCondition: Sendable {
    /// What the condition is, as text (a definition's JMESPath expression): it goes into the graph hash.
    public let description: String
    let evaluate: @Sendable (_ message: JSON, _ state: JSONObject) throws -> Bool

    /// Makes a condition of a description and a predicate over the message and the committed shared state.
    public init(_ description: String, _ evaluate: @escaping @Sendable (_ message: JSON, _ state: JSONObject) throws -> Bool) {
        self.description = description
        self.evaluate = evaluate
    }
}

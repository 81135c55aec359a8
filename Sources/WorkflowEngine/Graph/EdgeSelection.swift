/// Picks which targets of a fan-out get a message. It returns target ids; an id that is not one of
/// the edge's targets is reported in a `warning` event.
public struct EdgeSelection: Sendable {
    /// What the selection is, as text: it goes into the graph hash.
    public let description: String
    let select: @Sendable (_ message: JSON, _ state: JSONObject, _ targets: [String]) throws -> [String]

    /// Makes a selection of a description and a function from the message, the shared state and the targets
    /// to the targets that get it.
    public init(_ description: String,
                _ select: @escaping @Sendable (_ message: JSON, _ state: JSONObject, _ targets: [String]) throws -> [String]) {
        self.description = description
        self.select = select
    }
}

/// A model type with a canonical JSON form. Checkpoints, events and requests use it, so whatever the
/// engine stores is plain JSON that a person or another program can read (never an opaque encoding).
public protocol JSONRepresentable {
    /// The value as JSON.
    var json: JSON { get }
    /// Reads the value back from its JSON form.
    /// - Throws: ``JSONShapeError`` naming the path and what was expected.
    init(json: JSON) throws
}

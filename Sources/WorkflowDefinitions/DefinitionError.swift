/// A definition that cannot be used, and exactly where: the file, the line (when known), the
/// path inside the document (`executors.approve.schema`) and what is wrong.
public struct DefinitionError: Error, Hashable, Sendable, CustomStringConvertible {
    public var file: String
    /// A dotted path into the document (`edges[2].when`); empty for the whole document.
    public var path: String
    public var line: Int?
    public var column: Int?
    public var message: String

    public init(file: String, path: String, line: Int? = nil, column: Int? = nil, _ message: String) {
        self.file = file
        self.path = path
        self.line = line
        self.column = column
        self.message = message
    }

    /// `review.yaml:12:5: executors.approve.schema: invalid schema at #/type: ...`
    public var description: String {
        var text = file
        if let line {
            text += ":\(line)"
            if let column { text += ":\(column)" }
        }
        text += ": "
        if !path.isEmpty { text += path + ": " }
        return text + message
    }
}

import WorkflowJSON

/// What is wrong with a definition, and exactly where: the file, the line (when known), the path
/// inside the document.
public struct DefinitionProblem: Codable, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var column: Int?
    public var path: String
    public var message: String

    public init(file: String, line: Int?, column: Int?, path: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.path = path
        self.message = message
    }

    public var description: String {
        let position = line.map { ":\($0)" + (column.map { ":\($0)" } ?? "") } ?? ""
        return "\(file)\(position): \(path.isEmpty ? "" : path + ": ")\(message)"
    }

    public static let schema: JSON = Schema.of(DefinitionProblem.self)
}

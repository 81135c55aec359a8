import WorkflowJSON

/// A loaded definition: its name, version (graph hash), file, and executors.
public struct DefinitionInfo: Codable, Sendable, Hashable {
    public struct ExecutorInfo: Codable, Sendable, Hashable {
        public var id: String
        public var kind: String
        public init(id: String, kind: String) {
            self.id = id
            self.kind = kind
        }
    }

    public var name: String
    public var description: String?
    public var hash: String
    public var file: String
    public var start: String
    public var executors: [ExecutorInfo]
    /// The JSON Schema every run's input must satisfy (`inputSchema`), when it declares one.
    public var inputSchema: JSON?
    /// `definition.get` only: the document as read (YAML or JSON, as JSON).
    public var document: JSON?

    public init(name: String, description: String?, hash: String, file: String, start: String, executors: [ExecutorInfo]) {
        self.name = name
        self.description = description
        self.hash = hash
        self.file = file
        self.start = start
        self.executors = executors
    }

    public static let schema: JSON = Schema.of(DefinitionInfo.self)
}

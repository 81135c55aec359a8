import WorkflowJSON

/// `definition.*`: the definitions the daemon has loaded.
public enum DefinitionMethods {
    /// `definition.list`
    public enum List: RPCMethod {
        public typealias Params = NoParams
        public struct Result: Codable, Sendable, Hashable {
            public var definitions: [DefinitionInfo]
            public var errors: [DefinitionProblem]
            public init(definitions: [DefinitionInfo], errors: [DefinitionProblem]) {
                self.definitions = definitions
                self.errors = errors
            }
        }
        public static let name = "definition.list"
        public static let summary = "The loaded definitions, by name, and the files that did not load with what is wrong with them."
        public static let params: [RPCParam] = []
        public static let result = Schema.of(Result.self)
        public static let errors: [RPCError.Code] = []
    }

    /// `definition.get`
    public enum Get: RPCMethod {
        public struct Params: Codable, Sendable, Hashable {
            public var name: String
            public init(name: String) { self.name = name }
        }
        public typealias Result = DefinitionInfo
        public static let name = "definition.get"
        public static let summary = "One definition with its document (as JSON) and executors."
        public static let params = [RPCParam("name", "The definition's name.")]
        public static let result = Schema.ref("DefinitionInfo")
        public static let errors: [RPCError.Code] = [.definitionNotFound]
    }

    /// `definition.validate`
    public enum Validate: RPCMethod {
        public struct Params: Codable, Sendable, Hashable {
            public var text: String
            public var file: String?
            public init(text: String, file: String? = nil) {
                self.text = text
                self.file = file
            }
        }
        public struct Result: Codable, Sendable, Hashable {
            public var valid: Bool
            public var name: String?
            public var hash: String?
            public var errors: [DefinitionProblem]
            public init(valid: Bool, name: String?, hash: String?, errors: [DefinitionProblem]) {
                self.valid = valid
                self.name = name
                self.hash = hash
                self.errors = errors
            }
        }
        public static let name = "definition.validate"
        public static let summary = "Checks a definition's text (YAML or JSON) as the daemon would load it, naming the line and path of each problem. It installs nothing and runs nothing; program paths are checked against the daemon's file system."
        public static let params = [RPCParam("text", "The definition's text."),
                                    RPCParam("file", "The name to give it in errors (and the directory its relative paths start from).")]
        public static let result = Schema.of(Result.self)
        public static let errors: [RPCError.Code] = [.limitExceeded]
    }
}

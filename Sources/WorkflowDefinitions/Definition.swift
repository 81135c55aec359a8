#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import JMESPath
import JSONSchema
import WorkflowEngine

/// A loaded, validated workflow definition (docs/semantics.md §4) and the engine graph made from it.
public struct Definition: Sendable {
    public let name: String
    public let description: String?
    /// The file it was read from.
    public let file: String
    /// The document as read (YAML or JSON, as JSON).
    public let document: JSON
    public let workflow: Workflow
    /// The schedules it declares (`schedules:`), which start runs on its instances.
    public let schedules: [ScheduleSpec]

    /// The canonical hash of everything that changes behaviour (not comments or whitespace).
    public var graphHash: String { workflow.graphHash }

    /// Why `id` cannot name an executor (or an instance): 1 to 64 letters, digits, `_`, `-`, `.`,
    /// not starting with `-` or `.`. Nil if it can.
    public static func identifierProblem(_ id: String) -> String? {
        DefinitionCompiler.executorIDProblem(id)
    }

    /// Reads and validates a definition file.
    /// - Throws: ``DefinitionError`` naming the file, the line, the path and what is wrong.
    public static func load(file path: String) throws(DefinitionError) -> Definition {
        guard let text = readText(path) else { throw DefinitionError(file: path, path: "", "cannot read the file") }
        return try parse(text, file: path)
    }

    /// Validates a definition given as text (YAML or JSON); `file` names it in errors.
    /// `definitions` are those its `workflow` executors may name.
    public static func parse(_ text: String, file: String, definitions: [String: Definition] = [:],
                             settings: DefinitionSettings = DefinitionSettings()) throws(DefinitionError) -> Definition {
        var reader = DocumentReader(file: file)
        let document = try reader.read(text)
        return try DefinitionCompiler(reader: reader, document: document, settings: settings) { name, path, compiler throws(DefinitionError) in
            guard let definition = definitions[name] else { throw compiler.error(path, "no definition named '\(name)' is loaded") }
            return definition
        }.compile()
    }

    /// Reads a definition document (YAML or JSON) as JSON, without validating it.
    /// - Throws: ``DefinitionError`` if the text is not YAML or JSON.
    public static func document(parsing text: String, file: String) throws(DefinitionError) -> JSON {
        var reader = DocumentReader(file: file)
        return try reader.read(text)
    }

    /// Loads every `*.yaml`, `*.yml` and `*.json` file of a directory. A bad file does not stop
    /// the others: its error is returned beside the definitions that loaded. Sub-workflows name
    /// other definitions of the directory; a cycle of them is an error.
    public static func loadDirectory(_ directory: String, settings: DefinitionSettings = DefinitionSettings())
        -> (definitions: [String: Definition], errors: [DefinitionError]) {
        guard let handle = opendir(directory) else {
            return ([:], [DefinitionError(file: directory, path: "", "cannot read the directory")])
        }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasSuffix(".yaml") || name.hasSuffix(".yml") || name.hasSuffix(".json") { names.append(name) }
        }
        closedir(handle)
        let library = DefinitionLibrary(settings: settings)
        for name in names.sorted() {
            library.read(directory.hasSuffix("/") ? directory + name : directory + "/" + name)
        }
        return library.compileAll()
    }

    /// The contents of a file as UTF-8 text, or nil when it cannot be read or is not valid UTF-8.
    public static func readText(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        return String(validating: bytes, as: UTF8.self)
    }
}

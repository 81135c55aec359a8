import WorkflowEngine

/// Loads a set of definition files that may name each other as sub-workflows: every document is
/// read first, then each is compiled on demand (once), and a cycle of sub-workflows is reported
/// where it closes.
final class DefinitionLibrary {
    private struct Document {
        var reader: DocumentReader
        var document: JSON
    }

    private var documents: [String: Document] = [:]
    private var errors: [DefinitionError] = []
    private var compiled: [String: Result<Definition, DefinitionError>] = [:]
    private var visiting: [String] = []
    private let settings: DefinitionSettings

    init(settings: DefinitionSettings = DefinitionSettings()) {
        self.settings = settings
    }

    /// Reads one file; its definition is compiled later.
    func read(_ path: String) {
        guard let text = Definition.readText(path) else {
            errors.append(DefinitionError(file: path, path: "", "cannot read the file"))
            return
        }
        var reader = DocumentReader(file: path)
        do {
            let document = try reader.read(text)
            guard let name = document["name"]?.stringValue else {
                // No name to be found by: compile it alone for its precise error.
                _ = try DefinitionCompiler(reader: reader, document: document) { _, path, compiler throws(DefinitionError) in
                    throw compiler.error(path, "cannot resolve sub-workflows of a definition without a name")
                }.compile()
                return
            }
            if let other = documents[name] {
                errors.append(DefinitionError(file: path, path: "name", "definition '\(name)' is also defined in \(other.reader.file)"))
                return
            }
            documents[name] = Document(reader: reader, document: document)
        } catch {
            errors.append(error)
        }
    }

    func compileAll() -> (definitions: [String: Definition], errors: [DefinitionError]) {
        var definitions: [String: Definition] = [:]
        for name in documents.keys.sorted() {
            do {
                definitions[name] = try compile(name, from: nil)
            } catch {
                if !errors.contains(error) { errors.append(error) }
            }
        }
        return (definitions, errors)
    }

    private func compile(_ name: String, from reference: (path: String, compiler: DefinitionCompiler)?) throws(DefinitionError) -> Definition {
        if let done = compiled[name] { return try done.get() }
        guard let document = documents[name] else {
            guard let reference else { throw DefinitionError(file: "", path: "", "no definition named '\(name)'") }
            throw reference.compiler.error(reference.path, "no definition named '\(name)' is loaded")
        }
        if visiting.contains(name) {
            let cycle = (visiting.drop { $0 != name } + [name]).joined(separator: " -> ")
            guard let reference else { throw DefinitionError(file: document.reader.file, path: "", "cycle of sub-workflows: \(cycle)") }
            throw reference.compiler.error(reference.path, "cycle of sub-workflows: \(cycle)")
        }
        visiting.append(name)
        defer { visiting.removeLast() }
        let result = Result { () throws(DefinitionError) -> Definition in
            try DefinitionCompiler(reader: document.reader, document: document.document, settings: settings) { child, path, compiler throws(DefinitionError) in
                do throws(DefinitionError) {
                    return try self.compile(child, from: (path, compiler))
                } catch {
                    // A child that fails on its own: say so where the parent names it.
                    if error.file != compiler.reader.file && !error.message.hasPrefix("cycle") {
                        throw compiler.error(path, "sub-workflow '\(child)' does not load: \(error)")
                    }
                    throw error
                }
            }.compile()
        }
        compiled[name] = result
        return try result.get()
    }
}

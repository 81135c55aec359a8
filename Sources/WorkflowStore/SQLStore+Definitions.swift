import WorkflowJSON
import WorkflowEngine

/// The definition versions instances pin: kept so an instance can be loaded after its file
/// changed or the daemon restarted.
extension SQLStore {
    /// Keeps the document of a definition version, so an instance that pins it can be loaded
    /// after the file changed or the daemon restarted.
    public func saveDefinitionVersion(hash: String, name: String, file: String, document: JSON) async throws {
        let now = Timestamp.now()
        try await transaction { db in
            try db.execute("INSERT INTO definitionVersion (hash, name, file, document, createdAt) VALUES (?, ?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING",
                           [.text(hash), .text(name), .text(file), .text(document.serialized()), .real(now)])
        }
    }

    /// A kept definition version: its name, file and document.
    public func definitionVersion(hash: String) async throws -> (name: String, file: String, document: JSON)? {
        try await read { db in
            guard let row = try db.row("SELECT name, file, document FROM definitionVersion WHERE hash = ?", [.text(hash)]) else { return nil }
            return (try row.text("name"), try row.text("file"), try JSON(parsing: try row.text("document")))
        }
    }
}

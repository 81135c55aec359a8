import GRDB
import WorkflowEngine

/// The definition versions instances pin: kept so an instance can be loaded after its file
/// changed or the daemon restarted.
extension SQLiteStore {
    /// Keeps the document of a definition version, so an instance that pins it can be loaded
    /// after the file changed or the daemon restarted.
    public func saveDefinitionVersion(hash: String, name: String, file: String, document: JSON) async throws {
        try await database.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO definitionVersion (hash, name, file, document, createdAt) VALUES (?, ?, ?, ?, ?)",
                           arguments: [hash, name, file, document.serialized(), Timestamp.now()])
        }
    }

    /// A kept definition version: its name, file and document.
    public func definitionVersion(hash: String) async throws -> (name: String, file: String, document: JSON)? {
        try await database.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM definitionVersion WHERE hash = ?", arguments: [hash]) else { return nil }
            return (row["name"], row["file"], try JSON(parsing: row["document"] as String))
        }
    }
}

import GRDB
import WorkflowEngine

/// What the daemon keeps besides the engine's batches: the definition versions instances pin,
/// checkpoint labels, and the queries that keep start-up and listing independent of how many
/// instances are stored.
extension SQLiteStore {
    // MARK: Definition versions

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

    /// Moves instance `name` to another definition version (a reset with upgrade).
    public func setDefinitionHash(instance name: String, hash: String) async throws {
        try await database.write { db in
            try db.execute(sql: "UPDATE instance SET definitionHash = ? WHERE name = ?", arguments: [hash, name])
        }
    }

    // MARK: Instances

    /// A page of instances by name, after `after`, optionally only those owned by `owner` or of
    /// `definition`.
    public func instances(after: String?, limit: Int, owner: UInt32?, definition: String?) async throws -> [InstanceRecord] {
        try await database.read { db in
            var sql = "SELECT * FROM instance WHERE name > ?"
            var arguments: [(any DatabaseValueConvertible)?] = [after ?? ""]
            if let owner {
                sql += " AND ownerUID = ?"
                arguments.append(Int64(owner))
            }
            if let definition {
                sql += " AND definition = ?"
                arguments.append(definition)
            }
            sql += " ORDER BY name LIMIT ?"
            arguments.append(limit)
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map(Self.instanceRecord)
        }
    }

    /// How many instances the store holds.
    /// A trivial read through the database's pool: it answers only if the database does (the
    /// daemon's health check, which the service watchdog's ping depends on).
    public func ping() async throws {
        _ = try await database.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    public func instanceCount() async throws -> Int {
        try await database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM instance") ?? 0 }
    }

    /// Instances whose status is one of `statuses` (at most `limit`).
    public func instances(withStatus statuses: [InstanceStatus], limit: Int) async throws -> [InstanceRecord] {
        try await database.read { db in
            let marks = Array(repeating: "?", count: statuses.count).joined(separator: ", ")
            return try Row.fetchAll(db, sql: "SELECT * FROM instance WHERE status IN (\(marks)) ORDER BY name LIMIT ?",
                                    arguments: StatementArguments(statuses.map(\.rawValue) + [String(limit)])).map(Self.instanceRecord)
        }
    }

    /// The instances a restart must take up at once: a run in progress, runs queued, or
    /// responses accepted and not yet delivered. Others wait until someone touches them.
    public func instancesNeedingRecovery() async throws -> [String] {
        try await database.read { db in
            try String.fetchAll(db, sql: """
                SELECT name FROM instance WHERE status = 'in_progress'
                UNION SELECT instance FROM queuedRun
                UNION SELECT instance FROM inbox
                ORDER BY 1
                """)
        }
    }

    // MARK: Checkpoint labels

    /// Labels checkpoint `id` of `instance` (a label names one checkpoint per instance).
    /// - Returns: false if the label already names another checkpoint.
    public func label(checkpoint id: String, instance: String, as label: String) async throws -> Bool {
        try await database.write { db in
            if let other = try String.fetchOne(db, sql: "SELECT id FROM checkpoint WHERE instance = ? AND label = ?", arguments: [instance, label]) {
                return other == id
            }
            try db.execute(sql: "UPDATE checkpoint SET label = ? WHERE id = ? AND instance = ?", arguments: [label, id, instance])
            return db.changesCount == 1
        }
    }

    /// The checkpoint a reference names: an id of the instance's, or one of its labels.
    public func resolveCheckpoint(_ reference: String, instance: String) async throws -> String? {
        try await database.read { db in
            try String.fetchOne(db, sql: "SELECT id FROM checkpoint WHERE instance = ? AND (id = ? OR label = ?) ORDER BY id = ? DESC LIMIT 1",
                                arguments: [instance, reference, reference, reference])
        }
    }

    /// The instance's checkpoint labels (checkpoint id → label).
    public func checkpointLabels(instance: String) async throws -> [String: String] {
        try await database.read { db in
            var labels: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, label FROM checkpoint WHERE instance = ? AND label IS NOT NULL", arguments: [instance]) {
                labels[row["id"]] = row["label"]
            }
            return labels
        }
    }
}

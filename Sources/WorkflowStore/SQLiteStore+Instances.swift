import Dispatch
import GRDB
import WorkflowConcurrency
import WorkflowJSON
import WorkflowEngine

/// Instances: who they are, who owns them, what definition they pin, and the listings that keep
/// start-up and `instance.list` independent of how many are stored.
extension SQLiteStore {
    /// Registers a new instance.
    /// - Throws: `WorkflowError(.instanceExists)` if the name is taken.
    public func createInstance(_ record: InstanceRecord) async throws {
        try await database.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM instance WHERE name = ?", arguments: [record.name]) == true {
                throw WorkflowError(.instanceExists, "instance '\(record.name)' already exists", details: ["instance": .string(record.name)])
            }
            try db.execute(sql: """
                INSERT INTO instance (name, definition, definitionHash, ownerUID, onBusy, status, head, createdAt, forkedFrom, forkedFromCheckpoint)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [record.name, record.definition, record.definitionHash, Int64(record.ownerUID), record.onBusy,
                                 record.status, record.head, record.createdAt, record.forkedFrom, record.forkedFromCheckpoint])
        }
    }

    /// The instance named `name`, if there is one.
    public func instance(named name: String) async throws -> InstanceRecord? {
        try await database.read { db in try Row.fetchOne(db, sql: "SELECT * FROM instance WHERE name = ?", arguments: [name]).map(Self.instanceRecord) }
    }

    /// Every instance, by name.
    public func instances() async throws -> [InstanceRecord] {
        try await database.read { db in try Row.fetchAll(db, sql: "SELECT * FROM instance ORDER BY name").map(Self.instanceRecord) }
    }

    /// Deletes an instance with its checkpoints, events, runs, inbox, keys and queue.
    @discardableResult
    public func deleteInstance(named name: String) async throws -> Bool {
        try await database.write { db in
            for table in ["checkpoint", "checkpointPart", "event", "run", "inbox", "idempotencyKey", "queuedRun"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE instance = ?", arguments: [name])
            }
            try db.execute(sql: "DELETE FROM instance WHERE name = ?", arguments: [name])
            return db.changesCount > 0
        }
    }

    static func instanceRecord(_ row: Row) -> InstanceRecord {
        InstanceRecord(name: row["name"], definition: row["definition"], definitionHash: row["definitionHash"],
                       ownerUID: UInt32(truncatingIfNeeded: row["ownerUID"] as Int64), onBusy: row["onBusy"], status: row["status"],
                       head: row["head"], createdAt: row["createdAt"], forkedFrom: row["forkedFrom"],
                       forkedFromCheckpoint: row["forkedFromCheckpoint"], paused: (row["paused"] as String?).flatMap { try? JSON(parsing: $0) })
    }

    public func setPaused(instance name: String, pause: JSON?) async throws {
        try await database.write { db in
            try db.execute(sql: "UPDATE instance SET paused = ? WHERE name = ?", arguments: [pause?.serialized(), name])
        }
    }

    public func pausedCount() async throws -> Int {
        try await database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM instance WHERE paused IS NOT NULL") ?? 0 }
    }

    /// Moves instance `name` to another definition version (a reset with upgrade).
    public func setDefinitionHash(instance name: String, hash: String) async throws {
        try await database.write { db in
            try db.execute(sql: "UPDATE instance SET definitionHash = ? WHERE name = ?", arguments: [hash, name])
        }
    }

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
}

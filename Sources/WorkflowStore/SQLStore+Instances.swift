import WorkflowConcurrency
import WorkflowJSON
import WorkflowEngine

/// Instances: who they are, who owns them, what definition they pin, and the listings that keep
/// start-up and `instance.list` independent of how many are stored.
extension SQLStore {
    /// Registers a new instance.
    /// - Throws: `WorkflowError(.instanceExists)` if the name is taken.
    public func createInstance(_ record: InstanceRecord) async throws {
        try await transaction { db in
            if try db.exists("SELECT 1 FROM instance WHERE name = ?", [.text(record.name)]) {
                throw WorkflowError(.instanceExists, "instance '\(record.name)' already exists", details: ["instance": .string(record.name)])
            }
            try db.execute("""
                INSERT INTO instance (name, definition, definitionHash, ownerUID, onBusy, status, head, createdAt, forkedFrom, forkedFromCheckpoint)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [.text(record.name), .text(record.definition), .text(record.definitionHash), .integer(Int64(record.ownerUID)),
                      .text(record.onBusy), .text(record.status), .text(record.head), .real(record.createdAt), .text(record.forkedFrom),
                      .text(record.forkedFromCheckpoint)])
            // With several hosts, the host that creates an instance owns it from the start.
            if let host = self.configuration.host {
                try db.execute("INSERT INTO ownership (instance, host, epoch) VALUES (?, ?, 1)", [.text(record.name), .text(host)])
            }
        }
        if configuration.host != nil { shared.epochs.withLock { $0[record.name] = 1 } }
    }

    /// The instance named `name`, if there is one.
    public func instance(named name: String) async throws -> InstanceRecord? {
        try await read { db in try db.row("SELECT * FROM instance WHERE name = ?", [.text(name)]).map(Self.instanceRecord) }
    }

    /// Every instance, by name.
    public func instances() async throws -> [InstanceRecord] {
        try await read { db in try db.rows("SELECT * FROM instance ORDER BY name", []).map(Self.instanceRecord) }
    }

    /// Deletes an instance with its checkpoints, events, runs, inbox, keys and queue.
    @discardableResult
    public func deleteInstance(named name: String) async throws -> Bool {
        let deleted = try await transaction { db in
            for table in ["checkpoint", "checkpointPart", "event", "run", "inbox", "idempotencyKey", "queuedRun"] {
                try db.execute("DELETE FROM \(table) WHERE instance = ?", [.text(name)])
            }
            // Its ownership row goes with it (ON DELETE CASCADE).
            return try db.execute("DELETE FROM instance WHERE name = ?", [.text(name)]) > 0
        }
        shared.epochs.withLock { _ = $0.removeValue(forKey: name) }
        return deleted
    }

    static func instanceRecord(_ row: SQLRow) throws -> InstanceRecord {
        InstanceRecord(name: try row.text("name"), definition: try row.text("definition"), definitionHash: try row.text("definitionHash"),
                       ownerUID: UInt32(truncatingIfNeeded: try row.integer("ownerUID")), onBusy: try row.text("onBusy"),
                       status: try row.text("status"), head: try row.optionalText("head"), createdAt: try row.real("createdAt"),
                       forkedFrom: try row.optionalText("forkedFrom"), forkedFromCheckpoint: try row.optionalText("forkedFromCheckpoint"),
                       paused: try row.optionalText("paused").flatMap { try? JSON(parsing: $0) })
    }

    public func setPaused(instance name: String, pause: JSON?) async throws {
        try await transaction { db in
            try db.execute("UPDATE instance SET paused = ? WHERE name = ?", [.text(pause?.serialized()), .text(name)])
        }
    }

    public func pausedCount() async throws -> Int {
        try await read { db in Int(try db.integer("SELECT COUNT(*) FROM instance WHERE paused IS NOT NULL") ?? 0) }
    }

    /// Moves instance `name` to another definition version (a reset with upgrade).
    public func setDefinitionHash(instance name: String, hash: String) async throws {
        try await transaction { db in
            try db.execute("UPDATE instance SET definitionHash = ? WHERE name = ?", [.text(hash), .text(name)])
        }
    }

    /// A page of instances by name, after `after`, optionally only those owned by `owner` or of
    /// `definition`.
    public func instances(after: String?, limit: Int, owner: UInt32?, definition: String?) async throws -> [InstanceRecord] {
        try await read { db in
            var sql = "SELECT * FROM instance WHERE name > ?"
            var values: [SQLValue] = [.text(after ?? "")]
            if let owner {
                sql += " AND ownerUID = ?"
                values.append(.integer(Int64(owner)))
            }
            if let definition {
                sql += " AND definition = ?"
                values.append(.text(definition))
            }
            sql += " ORDER BY name LIMIT ?"
            values.append(.integer(limit))
            return try db.rows(sql, values).map(Self.instanceRecord)
        }
    }

    public func instanceCount() async throws -> Int {
        try await read { db in Int(try db.integer("SELECT COUNT(*) FROM instance") ?? 0) }
    }

    /// Instances whose status is one of `statuses` (at most `limit`).
    public func instances(withStatus statuses: [InstanceStatus], limit: Int) async throws -> [InstanceRecord] {
        guard !statuses.isEmpty else { return [] }
        return try await read { db in
            let marks = Array(repeating: "?", count: statuses.count).joined(separator: ", ")
            return try db.rows("SELECT * FROM instance WHERE status IN (\(marks)) ORDER BY name LIMIT ?",
                               statuses.map { .text($0.rawValue) } + [.integer(limit)]).map(Self.instanceRecord)
        }
    }
}

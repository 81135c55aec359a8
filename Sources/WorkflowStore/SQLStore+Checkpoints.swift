import WorkflowJSON
import WorkflowEngine

/// Where a checkpoint's large values are kept: part -> name -> the checkpoint that wrote it (its origin).
typealias CheckpointManifest = [String: [String: String]]

/// Values that serialize to fewer bytes than this stay in the core snapshot (a row of their own
/// would cost more than writing them again).
let inlinePartLimit = 512

/// Checkpoints as their parent plus what changed.
///
/// A checkpoint row holds a *core* snapshot (messages, requests, counters, and every small value)
/// and, when some value is large, a manifest (`parts`: part → name → origin) of values kept apart
/// in `checkpointPart`, one row per value, keyed by the checkpoint that wrote it (its *origin*).
/// A value the instance did not change since the parent keeps the parent's reference, so a 1 MiB
/// document is written once, not once per superstep. Reading a checkpoint assembles the complete
/// snapshot. A part row lives while some checkpoint's manifest names its origin.
extension SQLStore {
    func insert(_ checkpoint: Checkpoint, ordinal: Int64, hasChild: Bool, changes: CheckpointChanges, instance: String,
                _ group: inout GroupWrite, _ db: any SQLSession) throws {
        guard case .object(var core) = checkpoint.json else { throw WorkflowError(.storeFailed, "checkpoint \(checkpoint.id) is not an object") }
        var manifest: CheckpointManifest = [:]
        var parentCheckpointManifest: CheckpointManifest??
        func inherited(_ part: Checkpoint.Part, _ name: String) throws -> String? {
            guard !changes.mayHaveChanged(part, name), let parent = checkpoint.parentID else { return nil }
            if parentCheckpointManifest == nil {
                parentCheckpointManifest = .some(try group.manifests[parent] ?? Self.manifest(of: parent, instance: instance, db))
            }
            return parentCheckpointManifest??[part.rawValue]?[name]
        }
        for part in Checkpoint.Part.allCases {
            let values = checkpoint.values(of: part)
            guard !values.isEmpty else { continue }
            var inline: JSONObject = [:]
            var references: [String: String] = [:]
            for (name, value) in values {
                if let origin = try inherited(part, name) {
                    references[name] = origin
                    continue
                }
                if Self.isSmall(value) {
                    inline[name] = value
                    continue
                }
                let text = value.serialized(sortedKeys: false)
                if text.utf8.count < inlinePartLimit {
                    inline[name] = value
                    continue
                }
                try db.enqueue("""
                    INSERT INTO checkpointPart (instance, origin, kind, name, value) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (instance, origin, kind, name) DO UPDATE SET value = excluded.value
                    """, [.text(instance), .text(checkpoint.id), .text(part.rawValue), .text(name), .text(text)])
                references[name] = checkpoint.id
            }
            if !references.isEmpty {
                manifest[part.rawValue] = references
                core[part.field] = .object(inline)
            }
        }
        let parts: String? = manifest.isEmpty ? nil : JSON.object(manifest.mapValues { .object($0.mapValues { .string($0) }) }).serialized()
        // The next checkpoint of this transaction will want it as its parent's.
        group.manifests = [checkpoint.id: manifest]
        // Keyed by (instance, ordinal), so an instance's checkpoints are appended side by side;
        // only the id index is maintained besides (few pages per commit: WAL frames are what a
        // commit costs).
        try db.enqueue("""
            INSERT INTO checkpoint (instance, ordinal, id, parentId, hasChild, runId, reason, superstep, time, status, openRequests,
                                    messagesInFlight, snapshot, parts)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(instance), .integer(ordinal), .text(checkpoint.id), .text(checkpoint.parentID), .integer(hasChild ? 1 : 0),
                  .text(checkpoint.runID), .text(checkpoint.reason.rawValue), .integer(checkpoint.superstep), .real(checkpoint.time),
                  .text(checkpoint.status.rawValue), .integer(checkpoint.pendingRequests.count), .integer(checkpoint.messages.count),
                  .text(JSON.object(core).serialized(sortedKeys: false)), .text(parts)])
    }

    /// Scalars and short strings never get a row of their own (no need to serialize them to know).
    private static func isSmall(_ value: JSON) -> Bool {
        switch value {
        case .null, .bool, .number: true
        case .string(let text): text.utf8.count < inlinePartLimit / 2
        case .array(let elements): elements.isEmpty
        case .object(let members): members.isEmpty
        }
    }

    /// The manifest of checkpoint `id` of `instance` (empty when it keeps nothing apart or is gone).
    static func manifest(of id: String, instance: String, _ db: any SQLSession) throws -> CheckpointManifest {
        guard let text = try db.text("SELECT parts FROM checkpoint WHERE id = ? AND instance = ?", [.text(id), .text(instance)]) else { return [:] }
        return try decodeCheckpointManifest(text, checkpoint: id)
    }

    static func decodeCheckpointManifest(_ text: String, checkpoint id: String) throws -> CheckpointManifest {
        guard case .object(let parts) = try JSON(parsing: text) else {
            throw WorkflowError(.invalidCheckpoint, "checkpoint \(id): its part manifest is not an object")
        }
        var manifest: CheckpointManifest = [:]
        for (part, names) in parts {
            guard case .object(let names) = names else { throw WorkflowError(.invalidCheckpoint, "checkpoint \(id): part '\(part)' is not an object") }
            manifest[part] = try names.mapValues { origin in
                guard case .string(let origin) = origin else { throw WorkflowError(.invalidCheckpoint, "checkpoint \(id): a part origin is not a string") }
                return origin
            }
        }
        return manifest
    }

    /// The complete snapshot of checkpoint `id`: its core with every value kept apart put back.
    static func loadCheckpoint(id: String, _ db: any SQLSession) throws -> Checkpoint? {
        guard let row = try db.row("SELECT instance, snapshot, parts FROM checkpoint WHERE id = ?", [.text(id)]) else { return nil }
        let json = try JSON(parsing: try row.text("snapshot"))
        guard let parts = try row.optionalText("parts") else { return try Checkpoint(json: json) }
        guard case .object(var core) = json else { throw WorkflowError(.invalidCheckpoint, "checkpoint \(id): its snapshot is not an object") }
        let instance = try row.text("instance")
        for (kind, names) in try decodeCheckpointManifest(parts, checkpoint: id) {
            guard let part = Checkpoint.Part(rawValue: kind) else { throw WorkflowError(.invalidCheckpoint, "checkpoint \(id): unknown part '\(kind)'") }
            guard case .object(var values) = core[part.field] ?? .object([:]) else {
                throw WorkflowError(.invalidCheckpoint, "checkpoint \(id): \(part.field) is not an object")
            }
            for (name, origin) in names {
                guard let text = try db.text("SELECT value FROM checkpointPart WHERE instance = ? AND origin = ? AND kind = ? AND name = ?",
                                             [.text(instance), .text(origin), .text(kind), .text(name)]) else {
                    throw WorkflowError(.invalidCheckpoint, "checkpoint \(id): the stored value of \(part.field).\(name) (written by \(origin)) is missing",
                                        details: ["checkpointId": .string(id)])
                }
                values[name] = try JSON(parsing: text)
            }
            core[part.field] = .object(values)
        }
        return try Checkpoint(json: .object(core))
    }

    /// Deletes the instance's checkpoints that `condition` selects (an SQL condition whose values
    /// are `values`, numbered from ?2: ?1 is the instance), then the kept-apart values no
    /// remaining checkpoint refers to. Returns how many checkpoints were deleted.
    func deleteCheckpoints(instance: String, where condition: String, values: [SQLValue], _ db: any SQLSession) throws -> Int {
        let deleted = try db.rows("DELETE FROM checkpoint WHERE instance = ?1 AND (\(condition)) RETURNING id, parts", [.text(instance)] + values)
        guard !deleted.isEmpty, try db.exists("SELECT 1 FROM checkpointPart WHERE instance = ? LIMIT 1", [.text(instance)]) else {
            return deleted.count
        }
        // A value may be referred to only by its origin and by the origin's descendants: the
        // candidates are the deleted checkpoints and the origins they referred to.
        var candidates = Set<String>()
        for row in deleted {
            let id = try row.text("id")
            candidates.insert(id)
            if let parts = try row.optionalText("parts") {
                for names in try Self.decodeCheckpointManifest(parts, checkpoint: id).values { candidates.formUnion(names.values) }
            }
        }
        for origin in candidates {
            try db.enqueue("""
                DELETE FROM checkpointPart WHERE instance = ?1 AND origin = ?2
                AND NOT EXISTS (SELECT 1 FROM checkpoint WHERE instance = ?1 AND parts IS NOT NULL AND \(db.dialect.contains("parts", "?3")))
                """, [.text(instance), .text(origin), .text("\"\(origin)\"")])
        }
        return deleted.count
    }

    @discardableResult
    public func deleteCheckpoint(id: String) async throws -> Bool {
        try await transaction { db in
            guard let instance = try db.text("SELECT instance FROM checkpoint WHERE id = ?", [.text(id)]) else { return false }
            return try self.deleteCheckpoints(instance: instance, where: "id = ?2", values: [.text(id)], db) > 0
        }
    }

    /// Labels checkpoint `id` of `instance` (a label names one checkpoint per instance).
    /// - Returns: false if the label already names another checkpoint.
    public func label(checkpoint id: String, instance: String, as label: String) async throws -> Bool {
        try await transaction { db in
            if let other = try db.text("SELECT id FROM checkpoint WHERE instance = ? AND label = ?", [.text(instance), .text(label)]) {
                return other == id
            }
            return try db.execute("UPDATE checkpoint SET label = ? WHERE id = ? AND instance = ?", [.text(label), .text(id), .text(instance)]) == 1
        }
    }

    /// The checkpoint a reference names: an id of the instance's, or one of its labels.
    public func resolveCheckpoint(_ reference: String, instance: String) async throws -> String? {
        try await read { db in
            try db.text("SELECT id FROM checkpoint WHERE instance = ?1 AND (id = ?2 OR label = ?2) ORDER BY id = ?2 DESC LIMIT 1",
                        [.text(instance), .text(reference)])
        }
    }

    /// The instance's checkpoint labels (checkpoint id → label).
    public func checkpointLabels(instance: String) async throws -> [String: String] {
        try await read { db in
            var labels: [String: String] = [:]
            for row in try db.rows("SELECT id, label FROM checkpoint WHERE instance = ? AND label IS NOT NULL", [.text(instance)]) {
                labels[try row.text("id")] = try row.text("label")
            }
            return labels
        }
    }
}

import GRDB
import WorkflowEngine

extension SQLiteStore {
    // MARK: Lineage

    /// The chain from `checkpointID` back to its lineage's root: `[it, parent, grandparent, ...]`
    /// (stopping where retention removed an ancestor).
    public func lineage(of checkpointID: String) async throws -> [CheckpointSummary] {
        try await database.read { db in
            try Row.fetchAll(db, sql: """
                WITH RECURSIVE chain(id, depth) AS (
                    SELECT id, 0 FROM checkpoint WHERE id = ?
                    UNION ALL
                    SELECT checkpoint.parentId, chain.depth + 1 FROM checkpoint JOIN chain ON checkpoint.id = chain.id
                    WHERE checkpoint.parentId IS NOT NULL
                )
                SELECT checkpoint.* FROM chain JOIN checkpoint ON checkpoint.id = chain.id ORDER BY chain.depth
                """, arguments: [checkpointID]).map(Self.summary)
        }
    }

    /// The instance's branch tips: checkpoints no other checkpoint continues (oldest first). The
    /// lineage head is one of them, unless a rewind just moved it.
    public func branchTips(instance: String) async throws -> [CheckpointSummary] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM checkpoint WHERE instance = ? AND hasChild = 0 ORDER BY ordinal",
                             arguments: [instance]).map(Self.summary)
        }
    }

    /// The instance's lineage head: the checkpoint the next one will have as parent.
    public func head(instance: String) async throws -> String? {
        try await self.instance(named: instance)?.head
    }

    // MARK: Retention

    // MARK: Runs

    /// The instance's recorded runs, oldest first.
    public func runs(instance: String) async throws -> [StoredRun] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM run WHERE instance = ? ORDER BY rowid", arguments: [instance]).map(Self.storedRun)
        }
    }

    /// Recorded runs with `status` across instances (of `owner` only, if given), the newest
    /// first, at most `limit`: `failed` is the dead-letter view.
    public func runs(withStatus status: String, owner: UInt32?, limit: Int) async throws -> [StoredRun] {
        let ownerUID: Int64? = owner.map { Int64($0) }
        return try await database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT run.* FROM run JOIN instance ON instance.name = run.instance
                WHERE run.status = ? AND (? IS NULL OR instance.ownerUID = ?)
                ORDER BY COALESCE(run.endedAt, run.startedAt) DESC, run.rowid DESC LIMIT ?
                """, arguments: [status, ownerUID, ownerUID, limit]).map(Self.storedRun)
        }
    }

    /// One recorded run, if the store still has it.
    public func run(id: String) async throws -> StoredRun? {
        try await database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM run WHERE id = ?", arguments: [id]).map(Self.storedRun)
        }
    }

    static func storedRun(_ row: Row) throws -> StoredRun {
        StoredRun(id: row["id"], instance: row["instance"], status: row["status"], trigger: row["trigger"],
                  input: try JSON(parsing: row["input"] as String), outputs: try JSON(parsing: row["outputs"] as String),
                  error: try (row["error"] as String?).map { try JSON(parsing: $0) }, startedAt: row["startedAt"],
                  endedAt: row["endedAt"], supersteps: row["supersteps"], idempotencyKey: row["idempotencyKey"])
    }
}

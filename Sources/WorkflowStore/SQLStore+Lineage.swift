import WorkflowJSON
import WorkflowEngine

extension SQLStore {
    // MARK: Lineage

    /// The chain from `checkpointID` back to its lineage's root: `[it, parent, grandparent, ...]`
    /// (stopping where retention removed an ancestor).
    public func lineage(of checkpointID: String) async throws -> [CheckpointSummary] {
        try await read { db in
            try db.rows("""
                WITH RECURSIVE chain(id, depth) AS (
                    SELECT id, 0 FROM checkpoint WHERE id = ?
                    UNION ALL
                    SELECT checkpoint.parentId, chain.depth + 1 FROM checkpoint JOIN chain ON checkpoint.id = chain.id
                    WHERE checkpoint.parentId IS NOT NULL
                )
                SELECT checkpoint.* FROM chain JOIN checkpoint ON checkpoint.id = chain.id ORDER BY chain.depth
                """, [.text(checkpointID)]).map(Self.summary)
        }
    }

    /// The instance's branch tips: checkpoints no other checkpoint continues (oldest first). The
    /// lineage head is one of them, unless a rewind just moved it.
    public func branchTips(instance: String) async throws -> [CheckpointSummary] {
        try await read { db in
            try db.rows("SELECT * FROM checkpoint WHERE instance = ? AND hasChild = 0 ORDER BY ordinal", [.text(instance)]).map(Self.summary)
        }
    }

    /// The instance's lineage head: the checkpoint the next one will have as parent.
    public func head(instance: String) async throws -> String? {
        try await self.instance(named: instance)?.head
    }

    // MARK: Runs

    /// The instance's recorded runs, oldest first.
    public func runs(instance: String) async throws -> [StoredRun] {
        try await read { db in
            try db.rows("SELECT * FROM run WHERE instance = ? ORDER BY rowid", [.text(instance)]).map(Self.storedRun)
        }
    }

    /// Recorded runs with `status` across instances (of `owner` only, if given), the newest
    /// first, at most `limit`: `failed` is the dead-letter view.
    public func runs(withStatus status: String, owner: UInt32?, limit: Int) async throws -> [StoredRun] {
        try await read { db in
            var sql = "SELECT run.* FROM run JOIN instance ON instance.name = run.instance WHERE run.status = ?"
            var values: [SQLValue] = [.text(status)]
            if let owner {
                sql += " AND instance.ownerUID = ?"
                values.append(.integer(Int64(owner)))
            }
            sql += " ORDER BY COALESCE(run.endedAt, run.startedAt) DESC, run.rowid DESC LIMIT ?"
            values.append(.integer(limit))
            return try db.rows(sql, values).map(Self.storedRun)
        }
    }

    /// One recorded run, if the store still has it.
    public func run(id: String) async throws -> StoredRun? {
        try await read { db in try db.row("SELECT * FROM run WHERE id = ?", [.text(id)]).map(Self.storedRun) }
    }

    static func storedRun(_ row: SQLRow) throws -> StoredRun {
        StoredRun(id: try row.text("id"), instance: try row.text("instance"), status: try row.text("status"), trigger: try row.text("trigger"),
                  input: try JSON(parsing: try row.text("input")), outputs: try JSON(parsing: try row.text("outputs")),
                  error: try row.optionalText("error").map { try JSON(parsing: $0) }, startedAt: try row.real("startedAt"),
                  endedAt: try row.optionalReal("endedAt"), supersteps: try row.optionalInteger("supersteps").map { Int($0) },
                  idempotencyKey: try row.optionalText("idempotencyKey"))
    }
}

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

    /// Applies retention now (it also runs after every run): keeps the newest
    /// `checkpointRetention` checkpoints, the lineage head, every branch tip, every labelled
    /// checkpoint and the newest `checkpointRetention` checkpoints with open requests (not all
    /// of them: while a request stays open every later checkpoint has it, and an instance whose
    /// question waits for weeks would keep every checkpoint it wrote meanwhile); keeps the newest `eventRetention` events, `runRetention` finished runs
    /// and the idempotency keys younger than `idempotencyKeyLifetime` (at most `idempotencyKeyLimit`).
    /// - Returns: how many checkpoints were deleted.
    @discardableResult
    public func prune(instance: String) async throws -> Int {
        try await database.write { db in try self.prune(instance: instance, db) }
    }

    /// Every statement here runs at the end of every run, so each is O(log n + rows deleted): the
    /// newest events are found from MAX(seq) (seqs are contiguous: none is ever skipped), never by
    /// walking back over the kept ones with OFFSET (which cost 2.4 ms at 23,000 events and grew
    /// with the log), and runs are ranked by the (instance, startedAt) index, not sorted.
    @discardableResult
    func prune(instance: String, _ db: Database) throws -> Int {
        let keep = max(1, configuration.checkpointRetention)
        let deleted = try deleteCheckpoints(instance: instance, where: """
            hasChild = 1 AND label IS NULL
            AND (openRequests = 0 OR ordinal < (SELECT ordinal FROM checkpoint WHERE instance = :instance AND openRequests > 0
                                                ORDER BY ordinal DESC LIMIT 1 OFFSET :offset))
            AND id IS NOT (SELECT head FROM instance WHERE name = :instance)
            AND ordinal < (SELECT ordinal FROM checkpoint WHERE instance = :instance ORDER BY ordinal DESC LIMIT 1 OFFSET :offset)
            """, arguments: ["instance": instance, "offset": keep - 1], db)
        if let events = configuration.eventRetention {
            try db.cachedStatement(sql: """
                DELETE FROM event WHERE instance = :instance
                AND seq <= (SELECT MAX(seq) FROM event WHERE instance = :instance) - :keep
                """).execute(arguments: ["instance": instance, "keep": max(1, events)])
        }
        try db.cachedStatement(sql: """
            DELETE FROM idempotencyKey WHERE instance = :instance
            AND (createdAt < :oldest
                 OR createdAt < (SELECT createdAt FROM idempotencyKey WHERE instance = :instance ORDER BY createdAt DESC LIMIT 1 OFFSET :keys))
            """).execute(arguments: ["instance": instance, "oldest": Timestamp.now() - configuration.idempotencyKeyLifetime,
                                     "keys": max(0, configuration.idempotencyKeyLimit - 1)])
        try db.cachedStatement(sql: """
            DELETE FROM run WHERE instance = :instance AND status != 'in_progress'
            AND id NOT IN (SELECT runId FROM idempotencyKey WHERE instance = :instance)
            AND id NOT IN (SELECT runId FROM queuedRun WHERE instance = :instance)
            AND startedAt < (SELECT startedAt FROM run WHERE instance = :instance ORDER BY startedAt DESC LIMIT 1 OFFSET :runs)
            """).execute(arguments: ["instance": instance, "runs": max(0, configuration.runRetention - 1)])
        return deleted
    }

    // MARK: Runs

    /// The instance's recorded runs, oldest first.
    public func runs(instance: String) async throws -> [StoredRun] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM run WHERE instance = ? ORDER BY rowid", arguments: [instance]).map(Self.storedRun)
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
                  endedAt: row["endedAt"], supersteps: row["supersteps"])
    }
}

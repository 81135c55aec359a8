import Dispatch
import GRDB
import WorkflowConcurrency
import WorkflowEngine

extension SQLiteStore {
    /// Everything needed to bring every instance back: each one's record and what the engine
    /// rebuilds it from (``InstanceRecovery``).
    public func recover() async throws -> [RecoveredInstance] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM instance ORDER BY name").map { try Self.recovered(Self.instanceRecord($0), db) }
        }
    }

    /// What is needed to bring back instance `name` (nil if the store has no such instance):
    /// loading one instance on demand costs what that instance holds, not what the store holds.
    public func recover(instance name: String) async throws -> RecoveredInstance? {
        try await database.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM instance WHERE name = ?", arguments: [name]) else { return nil }
            return try Self.recovered(Self.instanceRecord(row), db)
        }
    }

    static func recovered(_ record: InstanceRecord, _ db: Database) throws -> RecoveredInstance {
        let name = record.name
        var head: Checkpoint?
        if let id = record.head { head = try loadCheckpoint(id: id, db) }
        let lastSeq = try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM event WHERE instance = ?", arguments: [name]) ?? 0
        // A response's run that the store never saw start is a continuation promised to it.
        let inbox = try Row.fetchAll(db, sql: """
            SELECT inbox.*, (inbox.runId IS NOT NULL AND run.id IS NULL) AS promised FROM inbox
            LEFT JOIN run ON run.id = inbox.runId
            WHERE inbox.instance = ? ORDER BY acceptedAt, requestId
            """, arguments: [name])
            .map { row in
                InstanceRecovery.UndeliveredResponse(requestID: row["requestId"], executor: row["executor"],
                                                     response: try JSON(parsing: row["response"] as String),
                                                     promisedRunID: row["promised"] as Bool ? row["runId"] : nil)
            }
        let queued = try Row.fetchAll(db, sql: "SELECT * FROM queuedRun WHERE instance = ? ORDER BY position", arguments: [name])
            .map { row in
                StoreBatch.QueuedRun(runID: row["runId"], input: try JSON(parsing: row["input"] as String), idempotencyKey: row["idempotencyKey"])
            }
        let keys = try Row.fetchAll(db, sql: "SELECT key, runId, createdAt FROM idempotencyKey WHERE instance = ? ORDER BY createdAt",
                                    arguments: [name])
            .map { IdempotencyKey(key: $0["key"], runID: $0["runId"], createdAt: $0["createdAt"]) }
        let interrupted = try String.fetchAll(db, sql: "SELECT id FROM run WHERE instance = ? AND status = 'in_progress' ORDER BY rowid",
                                              arguments: [name])
        let finished = try Row.fetchAll(db, sql: """
            SELECT * FROM run WHERE instance = ? AND status != 'in_progress'
            AND id IN (SELECT runId FROM idempotencyKey WHERE instance = ?) ORDER BY rowid
            """, arguments: [name, name]).map { row in
            let run = try storedRun(row)
            return RunResult(runID: run.id, status: InstanceStatus(rawValue: run.status) ?? .failed, outputs: run.outputs.arrayValue ?? [],
                             error: try run.error.map { try WorkflowError(json: $0) }, pendingRequests: [], supersteps: 0)
        }
        let status = InstanceStatus(rawValue: record.status) ?? .idle
        let recovery = InstanceRecovery(name: name, head: head, status: status, nextSeq: UInt64(max(0, lastSeq)) + 1,
                                        undeliveredResponses: inbox, queuedRuns: queued, idempotencyKeys: keys,
                                        interruptedRuns: interrupted, finishedRuns: finished, forkedFrom: record.forkedFrom,
                                        forkedFromCheckpoint: record.forkedFromCheckpoint)
        return RecoveredInstance(record: record, recovery: recovery)
    }

    /// Checks the database file itself (`PRAGMA integrity_check`); returns the problems found.
    public func integrityProblems() async throws -> [String] {
        let rows = try await database.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
        return rows == ["ok"] ? [] : rows
    }

    /// The database's size in pages (after checkpointing the WAL), to watch growth. The
    /// checkpoint goes through the background checkpointer, never beside it (see
    /// ``WALCheckpointer/checkpointNow(_:)``); it blocks, so it runs on a thread of its own.
    public func pageCount() async throws -> Int {
        let checkpointer = self.checkpointer
        try await QueueWork.run(on: DispatchQueue(label: "workflowd.store.pagecount")) {
            try checkpointer.checkpointNow(.truncate)
        }
        return try await database.read { db in try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0 }
    }

    /// The instances a restart must take up at once: a run in progress, runs queued, or
    /// responses accepted and not yet delivered. Others wait until someone touches them.
    public func instancesNeedingRecovery() async throws -> [String] {
        try await database.read { db in
            try String.fetchAll(db, sql: """
                SELECT name FROM instance WHERE status = 'in_progress' AND paused IS NULL
                UNION SELECT instance FROM queuedRun
                UNION SELECT instance FROM inbox
                EXCEPT SELECT name FROM instance WHERE paused IS NOT NULL
                ORDER BY 1
                """)
        }
    }
}

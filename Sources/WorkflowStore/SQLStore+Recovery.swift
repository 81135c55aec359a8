import WorkflowJSON
import WorkflowEngine

extension SQLStore {
    /// Everything needed to bring every instance back: each one's record and what the engine
    /// rebuilds it from (``InstanceRecovery``).
    public func recover() async throws -> [RecoveredInstance] {
        try await read { db in
            try db.rows("SELECT * FROM instance ORDER BY name", []).map { try Self.recovered(Self.instanceRecord($0), db) }
        }
    }

    /// What is needed to bring back instance `name` (nil if the store has no such instance):
    /// loading one instance on demand costs what that instance holds, not what the store holds.
    public func recover(instance name: String) async throws -> RecoveredInstance? {
        try await read { db in
            guard let row = try db.row("SELECT * FROM instance WHERE name = ?", [.text(name)]) else { return nil }
            return try Self.recovered(Self.instanceRecord(row), db)
        }
    }

    static func recovered(_ record: InstanceRecord, _ db: any SQLSession) throws -> RecoveredInstance {
        let name = record.name
        var head: Checkpoint?
        if let id = record.head { head = try loadCheckpoint(id: id, db) }
        let lastSeq = try db.integer("SELECT MAX(seq) FROM event WHERE instance = ?", [.text(name)]) ?? 0
        // A response's run that the store never saw start is a continuation promised to it.
        let inbox = try db.rows("""
            SELECT inbox.*, CASE WHEN inbox.runId IS NOT NULL AND run.id IS NULL THEN 1 ELSE 0 END AS promised FROM inbox
            LEFT JOIN run ON run.id = inbox.runId
            WHERE inbox.instance = ? ORDER BY acceptedAt, requestId
            """, [.text(name)])
            .map { row in
                InstanceRecovery.UndeliveredResponse(requestID: try row.text("requestId"), executor: try row.text("executor"),
                                                     response: try JSON(parsing: try row.text("response")),
                                                     promisedRunID: try row.bool("promised") ? try row.optionalText("runId") : nil)
            }
        let queued = try db.rows("SELECT * FROM queuedRun WHERE instance = ? ORDER BY position", [.text(name)])
            .map { row in
                StoreBatch.QueuedRun(runID: try row.text("runId"), input: try JSON(parsing: try row.text("input")),
                                     idempotencyKey: try row.optionalText("idempotencyKey"))
            }
        let keys = try db.rows("SELECT key, runId, createdAt FROM idempotencyKey WHERE instance = ? ORDER BY createdAt", [.text(name)])
            .map { IdempotencyKey(key: try $0.text("key"), runID: try $0.text("runId"), createdAt: try $0.real("createdAt")) }
        let interrupted = try db.texts("SELECT id FROM run WHERE instance = ? AND status = 'in_progress' ORDER BY rowid", [.text(name)])
        let finished = try db.rows("""
            SELECT * FROM run WHERE instance = ?1 AND status != 'in_progress'
            AND id IN (SELECT runId FROM idempotencyKey WHERE instance = ?1) ORDER BY rowid
            """, [.text(name)]).map { row in
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

    /// The instances a restart must take up at once: a run in progress, runs queued, or
    /// responses accepted and not yet delivered. Others wait until someone touches them.
    public func instancesNeedingRecovery() async throws -> [String] {
        try await read { db in
            try db.texts("""
                SELECT name FROM instance WHERE status = 'in_progress' AND paused IS NULL
                UNION SELECT instance FROM queuedRun
                UNION SELECT instance FROM inbox
                EXCEPT SELECT name FROM instance WHERE paused IS NOT NULL
                ORDER BY 1
                """)
        }
    }
}

import GRDB
import WorkflowEngine

/// What the store gives back for one instance after a restart or a crash.
public struct RecoveredInstance: Sendable {
    public var record: InstanceRecord
    /// The lineage head's checkpoint: the last one written or restored (nil after a reset or
    /// before the first run).
    public var head: Checkpoint?
    /// The seq the instance's next event must get (one past the last logged; never reused).
    public var nextSeq: UInt64
    /// Requests still open at the head.
    public var openRequests: [WorkflowRequest]
    /// Responses accepted but not yet delivered to their executor (request id, executor, response).
    public var undeliveredResponses: [(requestID: String, executor: String, response: JSON)]
    /// Runs waiting in the durable queue, in order.
    public var queuedRuns: [StoreBatch.QueuedRun]
    /// Idempotency keys (key → run id).
    public var idempotencyKeys: [String: String]
    /// Runs that were in progress when the process stopped.
    public var interruptedRuns: [String]
}

extension SQLiteStore {
    /// Everything the daemon needs to bring its instances back: each instance with its lineage
    /// head, open requests, undelivered responses, queue, keys, the next event seq, and the runs
    /// that were in progress.
    public func recover() throws -> [RecoveredInstance] {
        try database.read { db in
            var recovered: [RecoveredInstance] = []
            for row in try Row.fetchAll(db, sql: "SELECT * FROM instance ORDER BY name") {
                let record = Self.instanceRecord(row)
                let name = record.name
                var head: Checkpoint?
                if let id = record.head, let text = try String.fetchOne(db, sql: "SELECT snapshot FROM checkpoint WHERE id = ?", arguments: [id]) {
                    head = try Checkpoint(json: try JSON(parsing: text))
                }
                let lastSeq = try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM event WHERE instance = ?", arguments: [name]) ?? 0
                let inbox = try Row.fetchAll(db, sql: "SELECT * FROM inbox WHERE instance = ? ORDER BY acceptedAt, requestId", arguments: [name])
                    .map { row in (requestID: row["requestId"] as String, executor: row["executor"] as String,
                                   response: try JSON(parsing: row["response"] as String)) }
                let queued = try Row.fetchAll(db, sql: "SELECT * FROM queuedRun WHERE instance = ? ORDER BY position", arguments: [name])
                    .map { row in StoreBatch.QueuedRun(runID: row["runId"], input: try JSON(parsing: row["input"] as String),
                                                       idempotencyKey: row["idempotencyKey"]) }
                var keys: [String: String] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT key, runId FROM idempotencyKey WHERE instance = ?", arguments: [name]) {
                    keys[row["key"]] = row["runId"]
                }
                let interrupted = try String.fetchAll(db, sql: "SELECT id FROM run WHERE instance = ? AND status = 'in_progress' ORDER BY rowid",
                                                      arguments: [name])
                recovered.append(RecoveredInstance(record: record, head: head, nextSeq: UInt64(lastSeq) + 1,
                                                   openRequests: head?.pendingRequests ?? [], undeliveredResponses: inbox,
                                                   queuedRuns: queued, idempotencyKeys: keys, interruptedRuns: interrupted))
            }
            return recovered
        }
    }

    /// Marks the runs that were in progress when the process stopped as failed, with `reason`
    /// (what `--recover fail` does; a resumed run is recorded by its own events instead).
    /// - Returns: the runs marked.
    @discardableResult
    public func failInterruptedRuns(instance: String, reason: String) throws -> [String] {
        try database.write { db in
            let ids = try String.fetchAll(db, sql: "SELECT id FROM run WHERE instance = ? AND status = 'in_progress'", arguments: [instance])
            let error = WorkflowError(.cancelled, reason).json.serialized()
            try db.execute(sql: "UPDATE run SET status = 'failed', error = ?, endedAt = ? WHERE instance = ? AND status = 'in_progress'",
                           arguments: [error, Timestamp.now(), instance])
            return ids
        }
    }

    /// Checks the database file itself (`PRAGMA integrity_check`); returns the problems found.
    public func integrityProblems() throws -> [String] {
        let rows = try database.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
        return rows == ["ok"] ? [] : rows
    }

    /// The database's size in pages (after checkpointing the WAL), to watch growth.
    public func pageCount() throws -> Int {
        try database.writeWithoutTransaction { db in
            try db.checkpoint(.truncate)
            return try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
        }
    }
}

import Dispatch
import GRDB
import WorkflowConcurrency
import WorkflowJSON
import WorkflowEngine

/// Reads of what the engine committed: checkpoints, their summaries, the event log.
extension SQLiteStore {
    public func checkpoint(id: String) async throws -> Checkpoint? {
        try await database.read { db in try Self.loadCheckpoint(id: id, db) }
    }

    public func checkpoints(instance: String) async throws -> [CheckpointSummary] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM checkpoint WHERE instance = ? ORDER BY ordinal", arguments: [instance]).map(Self.summary)
        }
    }

    public func oldestEventSeq(instance: String) async throws -> UInt64? {
        try await database.read { db in
            try Int64.fetchOne(db, sql: "SELECT MIN(seq) FROM event WHERE instance = ?", arguments: [instance]).map { UInt64($0) }
        }
    }

    public func events(instance: String, afterSeq: UInt64, limit: Int) async throws -> [WorkflowEvent] {
        let bodies = try await database.read { db in
            try String.fetchAll(db, sql: "SELECT body FROM event WHERE instance = ? AND seq > ? ORDER BY seq LIMIT ?",
                                arguments: [instance, Int64(clamping: afterSeq), Int64(max(0, limit))])
        }
        return try bodies.map { try WorkflowEvent(json: try JSON(parsing: $0)) }
    }

    static func summary(_ row: Row) throws -> CheckpointSummary {
        guard let reason = Checkpoint.Reason(rawValue: row["reason"]), let status = InstanceStatus(rawValue: row["status"]) else {
            throw WorkflowError(.invalidCheckpoint, "checkpoint \(row["id"] as String) has an unknown reason or status")
        }
        return CheckpointSummary(id: row["id"], parentID: row["parentId"], instance: row["instance"], runID: row["runId"], reason: reason,
                                 superstep: row["superstep"], time: row["time"], status: status,
                                 openRequests: row["openRequests"], messagesInFlight: row["messagesInFlight"])
    }

    /// How many instances the store holds.
    /// A trivial read through the database's pool: it answers only if the database does (the
    /// daemon's health check, which the service watchdog's ping depends on).
    public func ping() async throws {
        _ = try await database.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }
}

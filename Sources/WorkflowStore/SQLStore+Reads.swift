import WorkflowJSON
import WorkflowEngine

/// Reads of what the engine committed: checkpoints, their summaries, the event log.
extension SQLStore {
    public func checkpoint(id: String) async throws -> Checkpoint? {
        try await read { db in try Self.loadCheckpoint(id: id, db) }
    }

    public func checkpoints(instance: String) async throws -> [CheckpointSummary] {
        try await read { db in
            try db.rows("SELECT * FROM checkpoint WHERE instance = ? ORDER BY ordinal", [.text(instance)]).map(Self.summary)
        }
    }

    public func oldestEventSeq(instance: String) async throws -> UInt64? {
        try await read { db in
            try db.integer("SELECT MIN(seq) FROM event WHERE instance = ?", [.text(instance)]).map { UInt64(max(0, $0)) }
        }
    }

    /// The newest seq in the instance's log (nil: none).
    public func lastEventSeq(instance: String) async throws -> UInt64? {
        try await read { db in
            try db.integer("SELECT MAX(seq) FROM event WHERE instance = ?", [.text(instance)]).map { UInt64(max(0, $0)) }
        }
    }

    public func events(instance: String, afterSeq: UInt64, limit: Int) async throws -> [WorkflowEvent] {
        let bodies = try await read { db in
            try db.texts("SELECT body FROM event WHERE instance = ? AND seq > ? ORDER BY seq LIMIT ?",
                         [.text(instance), .integer(Int64(clamping: afterSeq)), .integer(Int64(max(0, limit)))])
        }
        return try bodies.map { try WorkflowEvent(json: try JSON(parsing: $0)) }
    }

    static func summary(_ row: SQLRow) throws -> CheckpointSummary {
        let id = try row.text("id")
        guard let reason = Checkpoint.Reason(rawValue: try row.text("reason")), let status = InstanceStatus(rawValue: try row.text("status")) else {
            throw WorkflowError(.invalidCheckpoint, "checkpoint \(id) has an unknown reason or status")
        }
        return CheckpointSummary(id: id, parentID: try row.optionalText("parentId"), instance: try row.text("instance"),
                                 runID: try row.optionalText("runId"), reason: reason, superstep: Int(try row.integer("superstep")),
                                 time: try row.real("time"), status: status, openRequests: Int(try row.integer("openRequests")),
                                 messagesInFlight: Int(try row.integer("messagesInFlight")))
    }

    /// A trivial read through a reading connection: it answers only if the database does (the
    /// daemon's health check, which the service watchdog's ping depends on).
    public func ping() async throws {
        _ = try await read { db in try db.integer("SELECT 1") }
    }
}

import WorkflowEngine

/// What one transaction's batches leave to write once: each instance's last head and status, the
/// next checkpoint ordinals, which instances were checked, which checkpoints were inserted and
/// which of them a later batch continues. A superstep's batch then costs its event and
/// checkpoint rows, not a round of updates to the same instance row.
struct GroupWrite {
    var checked = Set<String>()
    /// Checkpoint ids that a checkpoint of this group has as parent.
    var continued = Set<String>()
    /// Checkpoint ids inserted by this group.
    var written = Set<String>()
    var ordinals: [String: Int64] = [:]
    var heads: [String: String] = [:]
    var statuses: [String: String] = [:]
    /// Each instance's soonest wait as of this group's last word on it (nil inside: none armed).
    var wakes: [String: Double?] = [:]
    /// The instances whose stored soonest wait the flushes changed, with its new time.
    var changedWakes: [String: Double?] = [:]
    /// Supersteps completed in this group, by run.
    var supersteps: [String: Int] = [:]
    /// Runs started in this group, their row as the group's events leave it (written at the flush).
    var startedRuns: [String: StartedRun] = [:]

    /// A run's row, built from the events of the group that started it.
    struct StartedRun {
        var instance: String
        var trigger: String
        var input: String
        var startedAt: Double
        var status = "in_progress"
        var endedAt: Double?
        var error: String?
        /// Each output, serialized, in order.
        var outputs: [String] = []
    }
    /// Events to insert, in order (several batches' events share a multi-row INSERT).
    var events: [(instance: String, event: WorkflowEvent)] = []
    /// The part manifest of the checkpoint inserted last (its child, next in the group, inherits from it).
    var manifests: [String: CheckpointManifest] = [:]

    /// The ordinal for the instance's next checkpoint (appended after its newest).
    mutating func nextOrdinal(instance: String, _ db: any SQLSession) throws -> Int64 {
        let last: Int64
        if let known = ordinals[instance] {
            last = known
        } else {
            last = try db.integer("SELECT MAX(ordinal) FROM checkpoint WHERE instance = ?", [.text(instance)]) ?? 0
        }
        ordinals[instance] = last + 1
        return last + 1
    }

    /// Writes the rows of the runs started in this group. A run id already stored (a run started
    /// again: a retry, a recovery) keeps its row, which is brought up to date as event by event
    /// before: in progress again, its new outputs appended, then its end.
    mutating func flushStartedRuns(_ db: any SQLSession) throws {
        for (runID, run) in startedRuns {
            let steps = supersteps.removeValue(forKey: runID) ?? 0
            let inserted = try db.execute("""
                INSERT INTO run (id, instance, status, trigger, input, outputs, error, startedAt, endedAt, supersteps, idempotencyKey)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, (SELECT key FROM idempotencyKey WHERE instance = ?2 AND runId = ?1 LIMIT 1))
                ON CONFLICT(id) DO NOTHING
                """, [.text(runID), .text(run.instance), .text(run.status), .text(run.trigger), .text(run.input),
                      .text("[" + run.outputs.joined(separator: ",") + "]"), .text(run.error), .real(run.startedAt), .real(run.endedAt),
                      .integer(steps)])
            guard inserted == 0 else { continue }
            try db.enqueue("UPDATE run SET status = 'in_progress', endedAt = NULL WHERE id = ?", [.text(runID)])
            for output in run.outputs { try Self.appendOutput(output, run: runID, db) }
            if let error = run.error { try Self.setError(error, run: runID, db) }
            try db.enqueue("UPDATE run SET status = ?, endedAt = ?, supersteps = COALESCE(supersteps, 0) + ? WHERE id = ?",
                           [.text(run.status), .real(run.endedAt), .integer(steps), .text(runID)])
        }
        startedRuns = [:]
    }

    /// Appends a serialized output to a stored run's outputs.
    static func appendOutput(_ output: String, run runID: String, _ db: any SQLSession) throws {
        try db.enqueue(db.dialect.appendOutput, [.text(output), .text(runID)])
    }

    /// Sets a stored run's error (serialized).
    static func setError(_ error: String, run runID: String, _ db: any SQLSession) throws {
        try db.enqueue("UPDATE run SET error = ? WHERE id = ?", [.text(error), .text(runID)])
    }

    /// Writes the events, heads and statuses gathered so far.
    mutating func flush(_ db: any SQLSession) throws {
        // One multi-row INSERT per chunk of events (a statement per event costs more than its row).
        var start = 0
        while start < events.count {
            let chunk = events[start..<min(events.count, start + 16)]
            let placeholders = Array(repeating: "(?, ?, ?, ?, ?, ?)", count: chunk.count).joined(separator: ", ")
            var values: [SQLValue] = []
            values.reserveCapacity(chunk.count * 6)
            for (instance, event) in chunk {
                values += [.text(instance), .integer(Int64(event.seq)), .real(event.time), .text(event.runID), .text(event.kind.rawValue),
                           .text(event.json.serialized(sortedKeys: false))]
            }
            try db.enqueue("INSERT INTO event (instance, seq, time, runId, type, body) VALUES " + placeholders, values)
            start += chunk.count
        }
        events = []
        for (instance, head) in heads {
            try db.enqueue("UPDATE instance SET head = ? WHERE name = ?", [.text(head), .text(instance)])
        }
        for (instance, status) in statuses {
            // Only when it changes: rewriting the same value still rewrites its index entry (a page
            // of instance_by_status in every commit of a run that ends as the one before it).
            try db.enqueue("UPDATE instance SET status = ?1 WHERE name = ?2 AND status IS DISTINCT FROM ?1", [.text(status), .text(instance)])
        }
        for (instance, due) in wakes {
            // Only when it changes (the partial index is touched only then).
            if try db.execute("UPDATE instance SET nextWake = ?1 WHERE name = ?2 AND nextWake IS DISTINCT FROM ?1", [.real(due), .text(instance)]) > 0 {
                changedWakes[instance] = due
            }
        }
        try flushStartedRuns(db)
        for (runID, count) in supersteps {
            try db.enqueue("UPDATE run SET supersteps = COALESCE(supersteps, 0) + ? WHERE id = ?", [.integer(count), .text(runID)])
        }
        heads = [:]
        statuses = [:]
        wakes = [:]
        supersteps = [:]
    }
}

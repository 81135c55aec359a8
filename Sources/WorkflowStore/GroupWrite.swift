import GRDB
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
    /// Events to insert, in order (several batches' events share a multi-row INSERT).
    var events: [(instance: String, event: WorkflowEvent)] = []
    /// The part manifest of the checkpoint inserted last (its child, next in the group, inherits from it).
    var manifests: [String: SQLiteStore.Manifest] = [:]

    /// The ordinal for the instance's next checkpoint (appended after its newest).
    mutating func nextOrdinal(instance: String, _ db: Database) throws -> Int64 {
        let last: Int64
        if let known = ordinals[instance] {
            last = known
        } else {
            last = try Int64.fetchOne(db.cachedStatement(sql: "SELECT MAX(ordinal) FROM checkpoint WHERE instance = ?"), arguments: [instance]) ?? 0
        }
        ordinals[instance] = last + 1
        return last + 1
    }

    /// Writes the events, heads and statuses gathered so far.
    mutating func flush(_ db: Database) throws {
        // One multi-row INSERT per chunk of events (a statement per event costs more than its row).
        var start = 0
        while start < events.count {
            let chunk = events[start..<min(events.count, start + 16)]
            let placeholders = Array(repeating: "(?, ?, ?, ?, ?, ?)", count: chunk.count).joined(separator: ", ")
            var values: [(any DatabaseValueConvertible)?] = []
            values.reserveCapacity(chunk.count * 6)
            for (instance, event) in chunk {
                values += [instance, Int64(event.seq), event.time, event.runID, event.kind.rawValue, event.json.serialized(sortedKeys: false)]
            }
            try db.cachedStatement(sql: "INSERT INTO event (instance, seq, time, runId, type, body) VALUES " + placeholders)
                .execute(arguments: StatementArguments(values))
            start += chunk.count
        }
        events = []
        for (instance, head) in heads {
            try db.cachedStatement(sql: "UPDATE instance SET head = ? WHERE name = ?").execute(arguments: [head, instance])
        }
        for (instance, status) in statuses {
            // Only when it changes: rewriting the same value still rewrites its index entry (a page
            // of instance_by_status in every commit of a run that ends as the one before it).
            try db.cachedStatement(sql: "UPDATE instance SET status = ?1 WHERE name = ?2 AND status IS NOT ?1").execute(arguments: [status, instance])
        }
        for (instance, due) in wakes {
            // Only when it changes (the partial index is touched only then).
            try db.cachedStatement(sql: "UPDATE instance SET nextWake = ?1 WHERE name = ?2 AND nextWake IS NOT ?1").execute(arguments: [due, instance])
            if db.changesCount > 0 { changedWakes[instance] = due }
        }
        for (runID, count) in supersteps {
            try db.cachedStatement(sql: "UPDATE run SET supersteps = COALESCE(supersteps, 0) + ? WHERE id = ?").execute(arguments: [count, runID])
        }
        heads = [:]
        statuses = [:]
        wakes = [:]
        supersteps = [:]
    }
}

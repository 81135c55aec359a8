import WorkflowJSON
import WorkflowEngine

/// Commits: one transaction per batch group (a savepoint per instance in a group commit), and the
/// projection that keeps the derived tables (runs, inbox, queue, keys, heads) in step with the
/// events each batch carries.
extension SQLStore {
    /// Commits consecutive batches in one transaction: all of them, or none.
    public func commit(_ batches: [StoreBatch]) async throws {
        guard !batches.isEmpty else { return }
        let wakes: [String: Double?]
        do {
            wakes = try await write { db in try db.transaction { try self.write(batches, db) } }
        } catch let fenced as InstanceFenced {
            noticeFencing([fenced])
            throw fenced
        }
        announce(wakes)
    }

    /// Commits several instances' groups of batches in one transaction, each group in a savepoint:
    /// a group that fails is rolled back alone (its error is returned in its place), the others
    /// commit. If the transaction itself fails, this throws and nothing was stored.
    public func commit(groups: [[StoreBatch]]) async throws -> [(any Error & Sendable)?] {
        guard !groups.isEmpty else { return [] }
        let (outcomes, wakes) = try await write { db in
            try db.transaction {
                var outcomes: [(any Error & Sendable)?] = []
                var wakes: [String: Double?] = [:]
                for group in groups {
                    try db.control("SAVEPOINT batchGroup")
                    do {
                        wakes.merge(try self.write(group, db)) { $1 }
                        try db.control("RELEASE batchGroup")
                        outcomes.append(nil)
                    } catch {
                        try db.control("ROLLBACK TO batchGroup")
                        try db.control("RELEASE batchGroup")
                        outcomes.append(error)
                    }
                }
                return (outcomes, wakes)
            }
        }
        announce(wakes)
        noticeFencing(outcomes)
        return outcomes
    }

    /// Writes consecutive batches inside the caller's transaction. What only the last of them
    /// decides (an instance's head and status) is written once, at the end (or before a prune
    /// that reads it); a checkpoint continued by a later one in the group is inserted as such.
    /// Returns the instances whose soonest wait changed, with its new time (nil: none armed).
    func write(_ batches: [StoreBatch], _ db: any SQLSession) throws -> [String: Double?] {
        var group = GroupWrite()
        for batch in batches { if let parent = batch.checkpoint?.parentID { group.continued.insert(parent) } }
        for batch in batches { try write(batch, &group, db) }
        try group.flush(db)
        try announceEvents(of: Set(batches.lazy.filter { !$0.events.isEmpty }.map(\.instance)), db)
        return group.changedWakes
    }

    func write(_ batch: StoreBatch, _ group: inout GroupWrite, _ db: any SQLSession) throws {
        if group.checked.insert(batch.instance).inserted { try checkOwnership(of: batch.instance, db) }
        group.events += batch.events.lazy.map { (batch.instance, $0) }
        var runEnded = false
        // Keys first: a run that starts in this batch records the key it started with.
        for key in batch.idempotencyKeys {
            try db.enqueue("""
                INSERT INTO idempotencyKey (instance, key, runId, createdAt) VALUES (?, ?, ?, ?)
                ON CONFLICT (instance, key) DO UPDATE SET runId = excluded.runId, createdAt = excluded.createdAt
                """, [.text(batch.instance), .text(key.key), .text(key.runID), .real(key.createdAt)])
        }
        for event in batch.events {
            runEnded = try apply(event, instance: batch.instance, &group, db) || runEnded
        }
        if let checkpoint = batch.checkpoint {
            let ordinal = try group.nextOrdinal(instance: batch.instance, db)
            try insert(checkpoint, ordinal: ordinal, hasChild: group.continued.contains(checkpoint.id), changes: batch.checkpointChanges,
                       instance: batch.instance, &group, db)
            if let parent = checkpoint.parentID, !group.written.contains(parent) {
                try db.enqueue("UPDATE checkpoint SET hasChild = 1 WHERE id = ? AND hasChild = 0", [.text(parent)])
            }
            group.written.insert(checkpoint.id)
            group.heads[batch.instance] = checkpoint.id
            group.wakes[batch.instance] = .some(checkpoint.soonestWait)
        }
        if let status = batch.status { group.statuses[batch.instance] = status.rawValue }
        for queued in batch.queuedRuns {
            try db.enqueue("""
                INSERT INTO queuedRun (instance, position, runId, input, idempotencyKey)
                VALUES (?1, (SELECT COALESCE(MAX(position), 0) + 1 FROM queuedRun WHERE instance = ?1), ?2, ?3, ?4)
                """, [.text(batch.instance), .text(queued.runID), .text(queued.input.serialized()), .text(queued.idempotencyKey)])
        }
        if runEnded && pruneTurn(batch.instance) {
            try group.flush(db)
            try prune(instance: batch.instance, db)
        }
    }

    /// Keeps the derived tables in step with one event; returns whether a run ended.
    func apply(_ event: WorkflowEvent, instance: String, _ group: inout GroupWrite, _ db: any SQLSession) throws -> Bool {
        switch event.body {
        case .runStarted(let trigger, let input):
            guard let runID = event.runID else { return false }
            // Written at the flush, with what the rest of the group says of it (its outputs, end,
            // error, supersteps): a trivial run is one row written once, not four statements.
            group.startedRuns[runID] = GroupWrite.StartedRun(instance: instance, trigger: trigger.rawValue, input: input.serialized(),
                                                             startedAt: event.time)
            try db.enqueue("DELETE FROM queuedRun WHERE instance = ? AND runId = ?", [.text(instance), .text(runID)])
        case .runRecovered:
            // The same run goes on (or a new one delivers what was accepted): in progress again.
            guard let runID = event.runID else { return false }
            try group.flushStartedRuns(db)
            try db.enqueue("""
                INSERT INTO run (id, instance, status, trigger, input, startedAt, supersteps) VALUES (?, ?, 'in_progress', 'recovery', 'null', ?, 0)
                ON CONFLICT (id) DO UPDATE SET status = 'in_progress', endedAt = NULL
                """, [.text(runID), .text(instance), .real(event.time)])
        case .superstepCompleted:
            // Counted in the group, written once per run per transaction (see GroupWrite.flush).
            guard let runID = event.runID else { return false }
            group.supersteps[runID, default: 0] += 1
        case .status(let status):
            guard let runID = event.runID, status != .inProgress else { return false }
            if group.startedRuns[runID] != nil {
                group.startedRuns[runID]?.status = status.rawValue
                group.startedRuns[runID]?.endedAt = event.time
            } else {
                try db.enqueue("UPDATE run SET status = ?, endedAt = ? WHERE id = ?", [.text(status.rawValue), .real(event.time), .text(runID)])
            }
            return true
        case .runFailed(let error):
            guard let runID = event.runID else { return false }
            if group.startedRuns[runID] != nil {
                group.startedRuns[runID]?.error = error.json.serialized()
            } else {
                try GroupWrite.setError(error.json.serialized(), run: runID, db)
            }
        case .output(_, let value):
            guard let runID = event.runID else { return false }
            if group.startedRuns[runID] != nil {
                group.startedRuns[runID]?.outputs.append(value.serialized())
            } else {
                try GroupWrite.appendOutput(value.serialized(), run: runID, db)
            }
        case .responseAccepted(let requestID, let executor, let response):
            try Self.keep(response: response, requestID: requestID, executor: executor, runID: event.runID, acceptedAt: event.time,
                          instance: instance, db)
        case .executorInvoked(_, _, _, let requestID):
            guard let requestID else { return false }
            try db.enqueue("DELETE FROM inbox WHERE instance = ? AND requestId = ?", [.text(instance), .text(requestID)])
        case .instanceReset:
            group.heads[instance] = nil
            group.wakes[instance] = .some(nil)
            for table in ["inbox", "idempotencyKey", "queuedRun"] {
                try db.enqueue("DELETE FROM \(table) WHERE instance = ?", [.text(instance)])
            }
            try db.enqueue("UPDATE instance SET head = NULL WHERE name = ?", [.text(instance)])
        case .instanceRewound(let checkpointID):
            group.heads[instance] = nil
            group.wakes[instance] = .some(try restoreHead(instance: instance, from: checkpointID, db))
        case .instanceForked(let fromInstance, let checkpointID):
            group.heads[instance] = nil
            group.wakes[instance] = .some(try restoreHead(instance: instance, from: checkpointID, db))
            try db.enqueue("UPDATE instance SET forkedFrom = ?, forkedFromCheckpoint = ? WHERE name = ?",
                           [.text(fromInstance), .text(checkpointID), .text(instance)])
        default:
            break
        }
        return false
    }

    /// Keeps a response accepted and not yet delivered in the inbox (replacing one for the same request).
    static func keep(response: JSON, requestID: String, executor: String, runID: String?, acceptedAt: Double, instance: String,
                     _ db: any SQLSession) throws {
        try db.enqueue("""
            INSERT INTO inbox (instance, requestId, executor, response, runId, acceptedAt) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (instance, requestId) DO UPDATE SET executor = excluded.executor, response = excluded.response,
                runId = excluded.runId, acceptedAt = excluded.acceptedAt
            """, [.text(instance), .text(requestID), .text(executor), .text(response.serialized()), .text(runID), .real(acceptedAt)])
    }

    /// After a rewind or fork, the lineage head is the restored checkpoint and the inbox holds the
    /// responses that checkpoint has in flight. Returns the time of its soonest wait.
    func restoreHead(instance: String, from checkpointID: String, _ db: any SQLSession) throws -> Double? {
        try db.enqueue("UPDATE instance SET head = ? WHERE name = ?", [.text(checkpointID), .text(instance)])
        try db.enqueue("DELETE FROM inbox WHERE instance = ?", [.text(instance)])
        guard let text = try db.text("SELECT snapshot FROM checkpoint WHERE id = ?", [.text(checkpointID)]) else { return nil }
        let checkpoint = try Checkpoint(json: try JSON(parsing: text))
        for message in checkpoint.messages {
            guard let request = message.request else { continue }
            try Self.keep(response: message.payload, requestID: request.id, executor: request.executor, runID: nil, acceptedAt: checkpoint.time,
                          instance: instance, db)
        }
        return checkpoint.soonestWait
    }
}

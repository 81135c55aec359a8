import Dispatch
import GRDB
import WorkflowConcurrency
import WorkflowJSON
import WorkflowEngine

/// Commits: one transaction per batch group (a savepoint per instance in a group commit), and the
/// projection that keeps the derived tables (runs, inbox, queue, keys, heads) in step with the
/// events each batch carries.
extension SQLiteStore {
    /// Commits consecutive batches in one transaction: all of them, or none.
    public func commit(_ batches: [StoreBatch]) async throws {
        guard !batches.isEmpty else { return }
        let wakes = try await uninterruptibleWrite { db in
            // An explicit transaction: GRDB's general one costs more than the statements here.
            try db.cachedStatement(sql: "BEGIN IMMEDIATE").execute()
            do {
                let wakes = try self.write(batches, db)
                try db.cachedStatement(sql: "COMMIT").execute()
                return wakes
            } catch {
                try? db.execute(sql: "ROLLBACK")
                throw error
            }
        }
        announce(wakes)
    }

    /// Commits several instances' groups of batches in one transaction, each group in a savepoint:
    /// a group that fails is rolled back alone (its error is returned in its place), the others
    /// commit. If the transaction itself fails, this throws and nothing was stored.
    public func commit(groups: [[StoreBatch]]) async throws -> [(any Error & Sendable)?] {
        guard !groups.isEmpty else { return [] }
        let (outcomes, wakes) = try await uninterruptibleWrite { db in
            try db.cachedStatement(sql: "BEGIN IMMEDIATE").execute()
            var outcomes: [(any Error & Sendable)?] = []
            var wakes: [String: Double?] = [:]
            do {
                for group in groups {
                    try db.cachedStatement(sql: "SAVEPOINT batchGroup").execute()
                    do {
                        wakes.merge(try self.write(group, db)) { $1 }
                        try db.cachedStatement(sql: "RELEASE batchGroup").execute()
                        outcomes.append(nil)
                    } catch {
                        try db.execute(sql: "ROLLBACK TO batchGroup")
                        try db.execute(sql: "RELEASE batchGroup")
                        outcomes.append(error)
                    }
                }
                try db.cachedStatement(sql: "COMMIT").execute()
            } catch {
                try? db.execute(sql: "ROLLBACK")
                throw error
            }
            return (outcomes, wakes)
        }
        announce(wakes)
        return outcomes
    }

    /// Runs a write on the store's commit thread (never on the cooperative pool), through GRDB's
    /// writer connection, that the cancel of the awaiting task does not interrupt: GRDB's async
    /// `write` interrupts SQLite when its task is cancelled, which would fail a commit because a
    /// run was cancelled or a client went away (and, in a group commit, fail every instance's
    /// batches with it). A commit is wholly in or out, decided by the database, not by who
    /// happened to wait for it.
    func uninterruptibleWrite<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await committer.run { [database] in try database.writeWithoutTransaction(body) }
    }

    /// Writes consecutive batches inside the caller's transaction. What only the last of them
    /// decides (an instance's head and status) is written once, at the end (or before a prune
    /// that reads it); a checkpoint continued by a later one in the group is inserted as such.
    /// Returns the instances whose soonest wait changed, with its new time (nil: none armed).
    func write(_ batches: [StoreBatch], _ db: Database) throws -> [String: Double?] {
        var group = GroupWrite()
        for batch in batches { if let parent = batch.checkpoint?.parentID { group.continued.insert(parent) } }
        for batch in batches { try write(batch, &group, db) }
        try group.flush(db)
        return group.changedWakes
    }

    func write(_ batch: StoreBatch, _ group: inout GroupWrite, _ db: Database) throws {
        if group.checked.insert(batch.instance).inserted {
            guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM instance WHERE name = ?"), arguments: [batch.instance]) == true else {
                throw WorkflowError(.storeFailed, "the store has no instance '\(batch.instance)'")
            }
        }
        group.events += batch.events.lazy.map { (batch.instance, $0) }
        var runEnded = false
        // Keys first: a run that starts in this batch records the key it started with.
        for key in batch.idempotencyKeys {
            try db.execute(sql: "INSERT OR REPLACE INTO idempotencyKey (instance, key, runId, createdAt) VALUES (?, ?, ?, ?)",
                           arguments: [batch.instance, key.key, key.runID, key.createdAt])
        }
        for event in batch.events {
            runEnded = try apply(event, instance: batch.instance, &group, db) || runEnded
        }
        if let checkpoint = batch.checkpoint {
            let ordinal = try group.nextOrdinal(instance: batch.instance, db)
            try insert(checkpoint, ordinal: ordinal, hasChild: group.continued.contains(checkpoint.id), changes: batch.checkpointChanges,
                       instance: batch.instance, &group, db)
            if let parent = checkpoint.parentID, !group.written.contains(parent) {
                try db.run("UPDATE checkpoint SET hasChild = 1 WHERE id = ? AND hasChild = 0", [.text(parent)])
            }
            group.written.insert(checkpoint.id)
            group.heads[batch.instance] = checkpoint.id
            group.wakes[batch.instance] = .some(checkpoint.soonestWait)
        }
        if let status = batch.status { group.statuses[batch.instance] = status.rawValue }
        for queued in batch.queuedRuns {
            try db.execute(sql: """
                INSERT INTO queuedRun (instance, position, runId, input, idempotencyKey)
                VALUES (?, (SELECT COALESCE(MAX(position), 0) + 1 FROM queuedRun WHERE instance = ?), ?, ?, ?)
                """, arguments: [batch.instance, batch.instance, queued.runID, queued.input.serialized(), queued.idempotencyKey])
        }
        if runEnded && pruneTurn(batch.instance) {
            try group.flush(db)
            try prune(instance: batch.instance, db)
        }
    }

    /// Keeps the derived tables in step with one event; returns whether a run ended.
    func apply(_ event: WorkflowEvent, instance: String, _ group: inout GroupWrite, _ db: Database) throws -> Bool {
        switch event.body {
        case .runStarted(let trigger, let input):
            guard let runID = event.runID else { return false }
            // Written at the flush, with what the rest of the group says of it (its outputs, end,
            // error, supersteps): a trivial run is one row written once, not four statements.
            group.startedRuns[runID] = GroupWrite.StartedRun(instance: instance, trigger: trigger.rawValue, input: input.serialized(),
                                                             startedAt: event.time)
            try db.run("DELETE FROM queuedRun WHERE instance = ? AND runId = ?", [.text(instance), .text(runID)])
        case .runRecovered:
            // The same run goes on (or a new one delivers what was accepted): in progress again.
            guard let runID = event.runID else { return false }
            try group.flushStartedRuns(db)
            try db.cachedStatement(sql: """
                INSERT INTO run (id, instance, status, trigger, input, startedAt, supersteps) VALUES (?, ?, 'in_progress', 'recovery', 'null', ?, 0)
                ON CONFLICT(id) DO UPDATE SET status = 'in_progress', endedAt = NULL
                """).execute(arguments: [runID, instance, event.time])
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
                try db.cachedStatement(sql: "UPDATE run SET status = ?, endedAt = ? WHERE id = ?").execute(arguments: [status.rawValue, event.time, runID])
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
            try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO inbox (instance, requestId, executor, response, runId, acceptedAt) VALUES (?, ?, ?, ?, ?, ?)
                """).execute(arguments: [instance, requestID, executor, response.serialized(), event.runID, event.time])
        case .executorInvoked(_, _, _, let requestID):
            guard let requestID else { return false }
            try db.cachedStatement(sql: "DELETE FROM inbox WHERE instance = ? AND requestId = ?").execute(arguments: [instance, requestID])
        case .instanceReset:
            group.heads[instance] = nil
            group.wakes[instance] = .some(nil)
            for table in ["inbox", "idempotencyKey", "queuedRun"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE instance = ?", arguments: [instance])
            }
            try db.execute(sql: "UPDATE instance SET head = NULL WHERE name = ?", arguments: [instance])
        case .instanceRewound(let checkpointID):
            group.heads[instance] = nil
            group.wakes[instance] = .some(try restoreHead(instance: instance, from: checkpointID, db))
        case .instanceForked(let fromInstance, let checkpointID):
            group.heads[instance] = nil
            group.wakes[instance] = .some(try restoreHead(instance: instance, from: checkpointID, db))
            try db.execute(sql: "UPDATE instance SET forkedFrom = ?, forkedFromCheckpoint = ? WHERE name = ?",
                           arguments: [fromInstance, checkpointID, instance])
        default:
            break
        }
        return false
    }

    /// After a rewind or fork, the lineage head is the restored checkpoint and the inbox holds the
    /// responses that checkpoint has in flight. Returns the time of its soonest wait.
    func restoreHead(instance: String, from checkpointID: String, _ db: Database) throws -> Double? {
        try db.execute(sql: "UPDATE instance SET head = ? WHERE name = ?", arguments: [checkpointID, instance])
        try db.execute(sql: "DELETE FROM inbox WHERE instance = ?", arguments: [instance])
        guard let text = try String.fetchOne(db, sql: "SELECT snapshot FROM checkpoint WHERE id = ?", arguments: [checkpointID]) else { return nil }
        let checkpoint = try Checkpoint(json: try JSON(parsing: text))
        for message in checkpoint.messages {
            guard let request = message.request else { continue }
            try db.execute(sql: "INSERT OR REPLACE INTO inbox (instance, requestId, executor, response, runId, acceptedAt) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [instance, request.id, request.executor, message.payload.serialized(), nil as String?, checkpoint.time])
        }
        return checkpoint.soonestWait
    }
}

import WorkflowConcurrency
import WorkflowJSON
import WorkflowEngine

/// Retention: what is deleted, and when (checkpoints, events, runs, idempotency keys), in the
/// transaction of a run's end every few run ends, or on demand.
extension SQLStore {
    /// Whether retention runs at this run end of `instance`: at its first since the store was
    /// opened, then every ``StoreConfiguration/pruneInterval`` run ends (each pass deletes what
    /// several runs left, in the same few pages, instead of touching them at every run). The
    /// counts are bounded: past 4,096 instances they start over (those prune at their next end).
    func pruneTurn(_ instance: String) -> Bool {
        let interval = configuration.pruneInterval
        return shared.runEnds.withLock { counts in
            let ended = counts[instance] ?? 0
            if ended == 0 && counts.count >= 4_096 { counts.removeAll(keepingCapacity: true) }
            counts[instance] = (ended + 1) % interval
            return ended == 0
        }
    }

    /// Applies retention now (it also runs after every run): keeps the newest
    /// `checkpointRetention` checkpoints, the lineage head, every branch tip, every labelled
    /// checkpoint and the newest `checkpointRetention` checkpoints with open requests (not all
    /// of them: while a request stays open every later checkpoint has it, and an instance whose
    /// question waits for weeks would keep every checkpoint it wrote meanwhile); keeps the newest `eventRetention` events, `runRetention` finished runs
    /// and the idempotency keys younger than `idempotencyKeyLifetime` (at most `idempotencyKeyLimit`).
    /// - Returns: how many checkpoints were deleted.
    @discardableResult
    public func prune(instance: String) async throws -> Int {
        try await transaction { db in try self.prune(instance: instance, db) }
    }

    /// Every statement here runs at the end of every run, so each is O(log n + rows deleted): the
    /// newest events are found from MAX(seq) (seqs are contiguous: none is ever skipped), never by
    /// walking back over the kept ones with OFFSET (which cost 2.4 ms at 23,000 events and grew
    /// with the log), and runs are ranked by the (instance, startedAt) index, not sorted.
    @discardableResult
    func prune(instance: String, _ db: any SQLSession) throws -> Int {
        let keep = max(1, configuration.checkpointRetention)
        let deleted = try deleteCheckpoints(instance: instance, where: """
            hasChild = 1 AND label IS NULL
            AND (openRequests = 0 OR ordinal < (SELECT ordinal FROM checkpoint WHERE instance = ?1 AND openRequests > 0
                                                ORDER BY ordinal DESC LIMIT 1 OFFSET ?2))
            AND id IS DISTINCT FROM (SELECT head FROM instance WHERE name = ?1)
            AND ordinal < (SELECT ordinal FROM checkpoint WHERE instance = ?1 ORDER BY ordinal DESC LIMIT 1 OFFSET ?2)
            """, values: [.integer(keep - 1)], db)
        if let events = configuration.eventRetention {
            try db.enqueue("""
                DELETE FROM event WHERE instance = ?1
                AND seq <= (SELECT MAX(seq) FROM event WHERE instance = ?1) - ?2
                """, [.text(instance), .integer(max(1, events))])
        }
        try db.enqueue("""
            DELETE FROM idempotencyKey WHERE instance = ?1
            AND (createdAt < ?2
                 OR createdAt < (SELECT createdAt FROM idempotencyKey WHERE instance = ?1 ORDER BY createdAt DESC LIMIT 1 OFFSET ?3))
            """, [.text(instance), .real(Timestamp.now() - configuration.idempotencyKeyLifetime),
                  .integer(max(0, configuration.idempotencyKeyLimit - 1))])
        try db.enqueue("""
            DELETE FROM run WHERE instance = ?1 AND status != 'in_progress'
            AND id NOT IN (SELECT runId FROM idempotencyKey WHERE instance = ?1)
            AND id NOT IN (SELECT runId FROM queuedRun WHERE instance = ?1)
            AND startedAt < (SELECT startedAt FROM run WHERE instance = ?1 ORDER BY startedAt DESC LIMIT 1 OFFSET ?2)
            """, [.text(instance), .integer(max(0, configuration.runRetention - 1))])
        return deleted
    }
}

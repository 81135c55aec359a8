/// Where an instance keeps its checkpoints and its event log.
///
/// Every method is `async`: a store that blocks (SQLite, a file, a network database) does its
/// blocking work on threads of its own, never on Swift's cooperative pool. The instance commits
/// one batch group at a time and waits for it, so a commit's order is the events' order and
/// nothing is published before it is stored.
///
/// A store must never hand out a reference to what it holds: a loaded checkpoint is a copy, and
/// a live instance can never change a stored one.
public protocol CheckpointStore: Sendable {
    /// Commits consecutive batches of one instance, in order, in one transaction: each batch
    /// wholly in or out, and all of them together. On an error nothing of them was stored.
    func commit(_ batches: [StoreBatch]) async throws

    /// The checkpoint with `id`, or nil.
    func checkpoint(id: String) async throws -> Checkpoint?

    /// The instance's checkpoints, oldest first.
    func checkpoints(instance: String) async throws -> [CheckpointSummary]

    /// Deletes a checkpoint; false if there was none.
    @discardableResult
    func deleteCheckpoint(id: String) async throws -> Bool

    /// The instance's logged events with seq greater than `afterSeq`, in order, at most `limit`.
    func events(instance: String, afterSeq: UInt64, limit: Int) async throws -> [WorkflowEvent]

    /// The seq of the oldest event the log still holds for the instance (retention removes old
    /// ones), or nil if it holds none.
    func oldestEventSeq(instance: String) async throws -> UInt64?

    /// The chain from checkpoint `id` back to its lineage's root: `[id, parent, grandparent, ...]`
    /// (stopping where retention removed an ancestor). The default follows parents one load at a time.
    func lineage(of id: String) async throws -> [CheckpointSummary]
}

extension CheckpointStore {
    /// Commits one batch.
    public func commit(_ batch: StoreBatch) async throws {
        try await commit([batch])
    }

    public func lineage(of id: String) async throws -> [CheckpointSummary] {
        var chain: [CheckpointSummary] = []
        var next: String? = id
        var seen = Set<String>()
        while let current = next, seen.insert(current).inserted, let checkpoint = try await checkpoint(id: current) {
            chain.append(checkpoint.summary)
            next = checkpoint.parentID
        }
        return chain
    }
}

import Synchronization
@testable import WorkflowEngine

/// An in-memory store whose commits can be made to fail, to prove that a failed commit leaves
/// the instance unchanged.
final class FailingStore: CheckpointStore {
    let base = InMemoryCheckpointStore()
    private let failing = Mutex(false)

    struct Refused: Error, CustomStringConvertible {
        var description: String { "disk on fire" }
    }

    func failCommits(_ fail: Bool) { failing.withLock { $0 = fail } }

    func commit(_ batch: StoreBatch) throws {
        if failing.withLock({ $0 }) { throw Refused() }
        try base.commit(batch)
    }

    func checkpoint(id: String) throws -> Checkpoint? { try base.checkpoint(id: id) }
    func checkpoints(instance: String) throws -> [CheckpointSummary] { try base.checkpoints(instance: instance) }
    func deleteCheckpoint(id: String) throws -> Bool { try base.deleteCheckpoint(id: id) }
    func events(instance: String, afterSeq: UInt64, limit: Int) throws -> [WorkflowEvent] {
        try base.events(instance: instance, afterSeq: afterSeq, limit: limit)
    }
}

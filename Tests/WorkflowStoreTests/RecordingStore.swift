import Foundation
import GRDB
import Testing
import WorkflowConcurrency
import WorkflowEngine
import WorkflowJSON
@testable import WorkflowStore
import WorkflowTestSupport

/// A store that hands everything to a SQLite store and remembers every checkpoint committed
/// through it, to hold what the store gives back against what it was given.
final class RecordingStore: CheckpointStore {
    let base: any SQLStore
    let written = Locked<[String: Checkpoint]>([:])

    init(_ base: any SQLStore) { self.base = base }

    func commit(_ batches: [StoreBatch]) async throws {
        try await base.commit(batches)
        written.withLock { written in
            for batch in batches { if let checkpoint = batch.checkpoint { written[checkpoint.id] = checkpoint } }
        }
    }

    func checkpoint(id: String) async throws -> Checkpoint? { try await base.checkpoint(id: id) }
    func checkpoints(instance: String) async throws -> [CheckpointSummary] { try await base.checkpoints(instance: instance) }
    func deleteCheckpoint(id: String) async throws -> Bool { try await base.deleteCheckpoint(id: id) }
    func events(instance: String, afterSeq: UInt64, limit: Int) async throws -> [WorkflowEvent] {
        try await base.events(instance: instance, afterSeq: afterSeq, limit: limit)
    }
    func oldestEventSeq(instance: String) async throws -> UInt64? { try await base.oldestEventSeq(instance: instance) }
}

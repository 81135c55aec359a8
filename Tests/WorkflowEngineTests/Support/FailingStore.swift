import WorkflowConcurrency
import WorkflowJSON
@testable import WorkflowEngine

/// An in-memory store whose commits can be made to fail: all of them from now on, or only the
/// N-th from now (to inject a failure at every commit site in turn). Reads always work.
final class FailingStore: CheckpointStore {
    let base = InMemoryCheckpointStore()
    private struct State {
        var failing = false
        var failAt: Int?
        var failWhen: (@Sendable ([StoreBatch]) -> Bool)?
        var commits = 0
        var refused = 0
    }
    private let state = Locked(State())

    struct Refused: Error, CustomStringConvertible {
        var description: String { "disk on fire" }
    }

    func failCommits(_ fail: Bool) { state.withLock { $0.failing = fail } }

    /// Fails nothing more.
    func stopFailing() {
        state.withLock { state in
            state.failing = false
            state.failAt = nil
            state.failWhen = nil
        }
    }

    /// Fails the first commit whose batches match `condition` (once).
    func failCommit(when condition: @escaping @Sendable ([StoreBatch]) -> Bool) { state.withLock { $0.failWhen = condition } }

    /// Fails only the `number`-th commit from now (1: the next one).
    func failCommit(number: Int) { state.withLock { $0.failAt = $0.commits + number } }

    /// Commits attempted so far (failed ones included), and those refused.
    var commitCount: Int { state.withLock { $0.commits } }
    var refusedCount: Int { state.withLock { $0.refused } }

    func commit(_ batches: [StoreBatch]) async throws {
        let refuse = state.withLock { state -> Bool in
            state.commits += 1
            var refuse = state.failing || state.failAt == state.commits
            if let condition = state.failWhen, condition(batches) {
                refuse = true
                state.failWhen = nil
            }
            if refuse { state.refused += 1 }
            return refuse
        }
        if refuse { throw Refused() }
        try await base.commit(batches)
    }

    func checkpoint(id: String) async throws -> Checkpoint? { try await base.checkpoint(id: id) }
    func checkpoints(instance: String) async throws -> [CheckpointSummary] { try await base.checkpoints(instance: instance) }
    func deleteCheckpoint(id: String) async throws -> Bool { try await base.deleteCheckpoint(id: id) }
    func events(instance: String, afterSeq: UInt64, limit: Int) async throws -> [WorkflowEvent] {
        try await base.events(instance: instance, afterSeq: afterSeq, limit: limit)
    }
    func oldestEventSeq(instance: String) async throws -> UInt64? { try await base.oldestEventSeq(instance: instance) }
}

import WorkflowConcurrency
import WorkflowJSON
import WorkflowEngine

/// The store every instance of a daemon shares: commits that arrive while another is being
/// written go together in the next transaction (group commit across instances), each instance's
/// batches in a savepoint of their own, so that one that fails (its instance was deleted) fails
/// alone. Concurrent clients share transactions instead of queueing behind one commit each.
///
/// There is no writer task: the first caller to find no commit in progress writes the waiting
/// ones (its own among them), then hands the turn to the first that arrived meanwhile.
public final class GroupCommitStore: CheckpointStore {
    public let store: any InstanceStore

    private enum Turn: Sendable {
        case committed
        case lead
    }

    private final class Entry: Sendable {
        let batches: [StoreBatch]
        let turn = Promise<Turn>()
        init(_ batches: [StoreBatch]) { self.batches = batches }
    }

    private struct State {
        var pending: [Entry] = []
        var writing = false
        var groups = 0
        var transactions = 0
    }

    private let state = Locked(State())

    /// Told of each transaction: how many instances' batches it carried, and how long it took.
    private let observe: (@Sendable (_ instances: Int, _ duration: Duration) -> Void)?

    /// Shares `store`; `observe`, if given, hears of every transaction (a daemon's metrics).
    public init(_ store: any InstanceStore, observe: (@Sendable (_ instances: Int, _ duration: Duration) -> Void)? = nil) {
        self.store = store
        self.observe = observe
    }

    /// Commits written so far, and the transactions they took (for daemon.status and tests).
    public var counts: (groups: Int, transactions: Int) { state.withLock { ($0.groups, $0.transactions) } }

    /// Whether a round is being written (for tests).
    var isWriting: Bool { state.withLock { $0.writing } }

    public func commit(_ batches: [StoreBatch]) async throws {
        guard !batches.isEmpty else { return }
        let entry = Entry(batches)
        let leading = state.withLock { state -> Bool in
            state.pending.append(entry)
            if state.writing { return false }
            state.writing = true
            return true
        }
        if !leading {
            // Not cancellable: once queued, the batch is written by the round that takes it, and
            // this caller may be handed the next round's lead. A cancelled caller that stopped
            // waiting would be told its commit failed when it did not, and would leave the turn
            // with nobody (every later commit waiting forever). Found by Contrib/dev/load.
            switch try await entry.turn.valueIgnoringCancellation() {
            case .committed: return
            case .lead: break
            }
        }
        try await writeRound(own: entry)
    }

    /// Writes everything waiting (the leader's own entry among it), tells the others how it went,
    /// and hands the turn on.
    private func writeRound(own: Entry) async throws {
        let round = state.withLock { state -> [Entry] in
            defer { state.pending = [] }
            return state.pending
        }
        var ownOutcome: Result<Void, any Error> = .success(())
        let clock = ContinuousClock()
        let began = observe == nil ? nil : clock.now
        do {
            let outcomes = try await store.commit(groups: round.map(\.batches))
            for (entry, failure) in zip(round, outcomes) {
                if entry === own {
                    if let failure { ownOutcome = .failure(failure) }
                } else {
                    entry.turn.resolve(failure.map { .failure($0) } ?? .success(.committed))
                }
            }
        } catch {
            for entry in round where entry !== own { entry.turn.resolve(.failure(error)) }
            ownOutcome = .failure(error)
        }
        if let began { observe?(round.count, clock.now - began) }
        let next = state.withLock { state -> Entry? in
            state.groups += round.count
            state.transactions += 1
            guard let next = state.pending.first else {
                state.writing = false
                return nil
            }
            return next
        }
        next?.turn.resolve(.success(.lead))
        try ownOutcome.get()
    }

    public func checkpoint(id: String) async throws -> Checkpoint? { try await store.checkpoint(id: id) }
    public func checkpoints(instance: String) async throws -> [CheckpointSummary] { try await store.checkpoints(instance: instance) }
    public func deleteCheckpoint(id: String) async throws -> Bool { try await store.deleteCheckpoint(id: id) }
    public func events(instance: String, afterSeq: UInt64, limit: Int) async throws -> [WorkflowEvent] {
        try await store.events(instance: instance, afterSeq: afterSeq, limit: limit)
    }
    public func oldestEventSeq(instance: String) async throws -> UInt64? { try await store.oldestEventSeq(instance: instance) }
    public func lineage(of id: String) async throws -> [CheckpointSummary] { try await store.lineage(of: id) }
}

import Dispatch
import GRDB
import WorkflowConcurrency
import WorkflowJSON

/// Copies the write-ahead log into the database file off the commit path. SQLite does it itself
/// inside the commit that fills the log past 1,000 pages, with an fsync: that commit (and every
/// request waiting for it) took 5 ms instead of 0.5 (`run_latency`'s p99). Here the store's
/// writer has automatic checkpoints off, and after every ``interval`` commits (of any kind: it
/// observes the writer's transactions) a connection of its own runs a passive checkpoint on a
/// queue of its own: it never waits for the writer, nor the writer for it. An idle store does
/// nothing.
final class WALCheckpointer: TransactionObserver, Sendable {
    /// Commits between two checkpoints (a trivial run's commit writes 11 to 25 pages: about a
    /// thousand pages between two, as SQLite's own default).
    static let interval = 64

    private let connection: DatabaseQueue
    private let queue = DispatchQueue(label: "workflowd.store.checkpoint", qos: .default)
    private struct State {
        var commits = 0
        var running = false
        var failures = 0
        var lastFailure: String?
    }
    private let state = Locked(State())

    init(path: String, busyTimeout: Double) throws {
        var configuration = Configuration()
        configuration.label = "workflowd.store.checkpointer"
        configuration.qos = .default
        configuration.busyMode = .timeout(busyTimeout)
        connection = try DatabaseQueue(path: path, configuration: configuration)
    }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { false }
    func databaseDidChange(with event: DatabaseEvent) {}
    func databaseDidCommit(_ db: Database) { committed() }
    func databaseDidRollback(_ db: Database) {}

    /// Counts a commit; every ``interval`` of them starts a checkpoint (unless one is running).
    func committed() {
        let start = state.withLock { state -> Bool in
            state.commits += 1
            guard state.commits >= Self.interval, !state.running else { return false }
            state.commits = 0
            state.running = true
            return true
        }
        guard start else { return }
        queue.async { [connection, state] in
            let failure: String?
            do {
                try connection.writeWithoutTransaction { db in _ = try db.checkpoint(.passive) }
                failure = nil
            } catch {
                failure = "\(error)"
            }
            state.withLock { state in
                state.running = false
                if let failure {
                    state.failures += 1
                    state.lastFailure = failure
                }
            }
        }
    }

    /// Runs a checkpoint of `mode` now, on the checkpointer's queue, after any background one:
    /// two checkpoints at once on two connections make the second fail at once with
    /// SQLITE_BUSY (the checkpoint lock takes no busy handler), whatever the busy timeout.
    func checkpointNow(_ mode: Database.CheckpointMode) throws {
        try queue.sync {
            _ = try connection.writeWithoutTransaction { db in try db.checkpoint(mode) }
        }
    }

    /// Checkpoints that failed (a busy database is retried at the next turn), and the last
    /// failure's cause: the store says so in ``SQLiteStore/checkpointFailures``.
    var failures: (count: Int, last: String?) { state.withLock { ($0.failures, $0.lastFailure) } }
}

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
///
/// A passive checkpoint copies the log but never starts it over: SQLite goes back to the log's
/// beginning only at a write that finds every frame copied, which commits that never pause
/// (each arriving while the last checkpoint copies) never find. The log then grew without end
/// (190 MB after 3,000 runs in a row, for a 7 MB database), every commit's pages landing in
/// newly allocated blocks. So once a checkpoint sees more than ``restartFrames`` frames in the
/// log, it asks the store's commit thread for one more passive checkpoint, between two commits:
/// no frame can arrive while it copies, so it copies them all, and the next commit starts the
/// log over. It never waits for a reader (one that still reads the log only delays the restart
/// to a later turn); it is rare (one per few hundred runs) and short, since the background
/// checkpoints copied most of the log.
final class WALCheckpointer: TransactionObserver, Sendable {
    /// Commits between two checkpoints (a trivial run's commit writes 11 to 25 pages: about a
    /// thousand pages between two, as SQLite's own default).
    static let interval = 64
    /// Frames in the log past which it is started over (16 MiB of 4 KiB pages).
    static let restartFrames = 4096

    private let connection: DatabaseQueue
    private let queue = DispatchQueue(label: "workflowd.store.checkpoint", qos: .default)
    /// Runs a passive checkpoint on the store's writer thread, between two commits (given by the
    /// store); false if that thread has stopped (the store is closing).
    private let restartOnWriter: @Sendable (@escaping @Sendable (Result<Void, any Error>) -> Void) -> Bool
    private struct State {
        var commits = 0
        var running = false
        var failures = 0
        var lastFailure: String?
        var restarts = 0
    }
    private let state = Locked(State())

    init(path: String, busyTimeout: Double,
         restartOnWriter: @escaping @Sendable (@escaping @Sendable (Result<Void, any Error>) -> Void) -> Bool) throws {
        self.restartOnWriter = restartOnWriter
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
        queue.async { [connection, restartOnWriter] in
            do {
                let log = try connection.writeWithoutTransaction { db in try db.checkpoint(.passive).walFrameCount }
                guard log > Self.restartFrames else { return self.finished(nil) }
                // Still "running" until the restart is done: no passive checkpoint meanwhile
                // (two checkpoints at once make one fail at once with SQLITE_BUSY).
                let given = restartOnWriter { result in
                    if case .success = result { self.state.withLock { $0.restarts += 1 } }
                    self.finished(result)
                }
                // The store is closing: whoever opens the database next finds the log as it is.
                if !given { self.finished(nil) }
            } catch {
                self.finished(.failure(error))
            }
        }
    }

    private func finished(_ result: Result<Void, any Error>?) {
        state.withLock { state in
            state.running = false
            if case .failure(let error) = result {
                state.failures += 1
                state.lastFailure = "\(error)"
            }
        }
    }

    /// Times the log was started over (for tests).
    var restarts: Int { state.withLock { $0.restarts } }

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

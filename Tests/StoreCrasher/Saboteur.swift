import GRDB
import Glibc
@testable import WorkflowEngine
import WorkflowStore
import WorkflowTestSupport

#if canImport(Glibc)
#endif

/// Kills the process with SIGKILL at the K-th commit (just before it lands) or at the K-th row
/// change inside a transaction: crash points no outside timing can hit reliably.
final class Saboteur: TransactionObserver, @unchecked Sendable {
    // Only the database's writer calls these methods, one at a time.
    private var commits: Int
    private var changes: Int

    init(commit: Int?, change: Int?) {
        commits = commit ?? -1
        changes = change ?? -1
    }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { true }

    func databaseDidChange(with event: DatabaseEvent) {
        changes -= 1
        if changes == 0 { raise(SIGKILL) }
    }

    func databaseWillCommit() throws {
        commits -= 1
        if commits == 0 { raise(SIGKILL) }
    }

    func databaseDidCommit(_ db: Database) {}
    func databaseDidRollback(_ db: Database) {}
}

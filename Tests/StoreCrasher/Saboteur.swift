import GRDB
import Glibc
@testable import WorkflowEngine
import WorkflowStore
import WorkflowTestSupport

/// Kills the process with SIGKILL at the K-th commit (just before it lands) or at the K-th
/// statement that writes (an INSERT, UPDATE or DELETE, inside a transaction): crash points no
/// outside timing can hit reliably.
///
/// Statements are counted from SQLite's trace of the writer connection, which sees every
/// statement the connection steps: the store binds and steps its statements itself, so GRDB's
/// row-change notifications (which need GRDB to run the statement) never hear of them.
final class Saboteur: TransactionObserver, @unchecked Sendable {
    // Only the database's writer calls these methods, one at a time.
    private var commits: Int
    private var writes: Int

    init(commit: Int?, write: Int?) {
        commits = commit ?? -1
        writes = write ?? -1
    }

    /// Arms the saboteur on `database`'s writer connection.
    func arm(_ database: DatabasePool) throws {
        database.add(transactionObserver: self, extent: .databaseLifetime)
        try database.writeWithoutTransaction { db in
            db.trace(options: .statement) { [self] event in
                guard case .statement(let statement) = event else { return }
                let sql = statement.sql.drop { $0 == " " || $0 == "\n" }.prefix(6).uppercased()
                guard sql == "INSERT" || sql == "UPDATE" || sql == "DELETE" else { return }
                writes -= 1
                if writes == 0 { raise(SIGKILL) }
            }
        }
    }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { false }
    func databaseDidChange(with event: DatabaseEvent) {}

    func databaseWillCommit() throws {
        commits -= 1
        if commits == 0 { raise(SIGKILL) }
    }

    func databaseDidCommit(_ db: Database) {}
    func databaseDidRollback(_ db: Database) {}
}

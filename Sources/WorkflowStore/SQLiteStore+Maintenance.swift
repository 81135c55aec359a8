import Dispatch
import GRDB
import WorkflowConcurrency

/// What only SQLite has: the file's own integrity check and its size in pages.
extension SQLiteStore {
    /// Checks the database file itself (`PRAGMA integrity_check`); returns the problems found.
    public func integrityProblems() async throws -> [String] {
        let rows = try await database.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
        return rows == ["ok"] ? [] : rows
    }

    /// The database's size in pages (after checkpointing the WAL), to watch growth. The
    /// checkpoint goes through the background checkpointer, never beside it (see
    /// ``WALCheckpointer/checkpointNow(_:)``); it blocks, so it runs on a thread of its own.
    public func pageCount() async throws -> Int {
        let checkpointer = self.checkpointer
        try await QueueWork.run(on: DispatchQueue(label: "workflowd.store.pagecount")) {
            try checkpointer.checkpointNow(.truncate)
        }
        return try await database.read { db in try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0 }
    }
}

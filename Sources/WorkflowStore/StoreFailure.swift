import GRDB
import WorkflowEngine

/// Database errors as errors a client may see: what SQLite said (a full disk, a read-only or
/// locked database, an I/O error) is what an operator needs to act on, and nothing private.
public enum StoreFailure {
    /// A `storeFailed` error naming SQLite's complaint, if `error` is one of the database's;
    /// nil for anything else.
    public static func describe(_ error: any Error) -> WorkflowError? {
        guard let database = error as? DatabaseError else { return nil }
        let what: String
        switch database.resultCode {
        case .SQLITE_FULL: what = "the disk holding the database is full"
        case .SQLITE_READONLY: what = "the database is read-only"
        case .SQLITE_BUSY, .SQLITE_LOCKED: what = "the database is locked by another process"
        case .SQLITE_IOERR: what = "the database could not be read or written (I/O error)"
        case .SQLITE_CORRUPT, .SQLITE_NOTADB: what = "the database file is damaged"
        case .SQLITE_CANTOPEN: what = "the database file cannot be opened"
        default: what = "the database refused the operation"
        }
        return WorkflowError(.storeFailed, "\(what): \(database.message ?? "\(database.resultCode)")",
                             details: ["sqlite": .string("\(database.extendedResultCode)")], cause: error)
    }
}

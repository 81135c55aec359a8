import GRDB
#if canImport(GRDBSQLite)
import GRDBSQLite
#elseif canImport(SQLite3)
import SQLite3
#endif

/// A value bound to a statement of the commit path through SQLite's C API.
///
/// GRDB binds each argument through an existential `DatabaseValueConvertible` and a
/// `DatabaseValue` box: on the commit of a trivial run that was 28 µs of the writer's 250
/// (perf, `run_latency`), for some 120 values. The statements a commit runs for every
/// superstep (events, checkpoint, run, head) bind these instead, with `Database.run(_:_:)`.
enum SQLValue {
    case text(String)
    case integer(Int64)
    case real(Double)
    case null

    /// Text, or NULL for nil.
    static func text(_ value: String?) -> SQLValue { value.map { .text($0) } ?? .null }
    /// A real, or NULL for nil.
    static func real(_ value: Double?) -> SQLValue { value.map { .real($0) } ?? .null }
    /// An integer.
    static func integer(_ value: Int) -> SQLValue { .integer(Int64(value)) }
}

extension Database {
    /// Runs `sql` (prepared once per connection, as `cachedStatement`) with `values` bound in
    /// order, to its end. Only for statements that return no rows and are run only this way.
    /// A failure throws the `DatabaseError` GRDB would have (same code, SQLite's message).
    func run(_ sql: String, _ values: [SQLValue]) throws {
        let handle = try cachedStatement(sql: sql).sqliteStatement
        // SQLite copies what it is given (SQLITE_TRANSIENT): the Swift strings need not outlive the call.
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        var code = SQLITE_OK
        for (offset, value) in values.enumerated() where code == SQLITE_OK {
            let index = Int32(offset + 1)
            switch value {
            case .text(var text):
                code = text.withUTF8 { bytes in
                    // An empty buffer has no address, and a NULL pointer would bind NULL, not "".
                    guard !bytes.isEmpty else { return sqlite3_bind_text(handle, index, "", 0, transient) }
                    return bytes.withMemoryRebound(to: CChar.self) { sqlite3_bind_text(handle, index, $0.baseAddress, Int32($0.count), transient) }
                }
            case .integer(let number): code = sqlite3_bind_int64(handle, index, number)
            case .real(let number): code = sqlite3_bind_double(handle, index, number)
            case .null: code = sqlite3_bind_null(handle, index)
            }
        }
        if code == SQLITE_OK {
            repeat { code = sqlite3_step(handle) } while code == SQLITE_ROW
        }
        let message = code == SQLITE_DONE ? nil : String(cString: sqlite3_errmsg(sqliteConnection))
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        if let message { throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: sql) }
    }
}

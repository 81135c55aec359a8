import GRDB
#if canImport(GRDBSQLite)
import GRDBSQLite
#elseif canImport(SQLite3)
import SQLite3
#endif

/// GRDB's connection as a session of the store: statements prepared once per connection (GRDB's
/// statement cache), values bound and rows read through SQLite's C API.
extension Database: SQLSession {
    public var dialect: SQLDialect { .sqlite }

    /// Runs `sql` with `values` bound in order, to its end. A failure throws the `DatabaseError`
    /// GRDB would have (same code, SQLite's message).
    @discardableResult
    public func execute(_ sql: String, _ values: [SQLValue]) throws -> Int {
        try step(sql, values) { _ in }
        return changesCount
    }

    public func control(_ sql: String) throws { try cachedStatement(sql: sql).execute() }

    public func enqueue(_ sql: String, _ values: [SQLValue]) throws { try step(sql, values) { _ in } }

    public func rows(_ sql: String, _ values: [SQLValue]) throws -> [SQLRow] {
        var rows: [SQLRow] = []
        try step(sql, values) { handle in
            let count = sqlite3_column_count(handle)
            var columns: [(String, SQLValue)] = []
            columns.reserveCapacity(Int(count))
            for index in 0..<count {
                let name = String(cString: sqlite3_column_name(handle, index))
                let value: SQLValue
                switch sqlite3_column_type(handle, index) {
                case SQLITE_INTEGER: value = .integer(sqlite3_column_int64(handle, index))
                case SQLITE_FLOAT: value = .real(sqlite3_column_double(handle, index))
                case SQLITE_NULL: value = .null
                default:
                    // Text (and a blob, which the store never writes, read as text).
                    if let bytes = sqlite3_column_text(handle, index) {
                        let length = Int(sqlite3_column_bytes(handle, index))
                        value = .text(String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self))
                    } else {
                        value = .text("")
                    }
                }
                columns.append((name, value))
            }
            rows.append(SQLRow(columns))
        }
        return rows
    }

    /// Binds `values`, steps `sql` to its end calling `row` at each row, and resets it.
    private func step(_ sql: String, _ values: [SQLValue], row: (OpaquePointer) -> Void) throws {
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
            code = sqlite3_step(handle)
            while code == SQLITE_ROW {
                row(handle)
                code = sqlite3_step(handle)
            }
        }
        let message = code == SQLITE_DONE ? nil : String(cString: sqlite3_errmsg(sqliteConnection))
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        if let message { throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: sql) }
    }
}

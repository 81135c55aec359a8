import GRDB
import Testing
import WorkflowEngine
@testable import WorkflowStore

/// SQLite's session (``GRDB/Database`` as an ``SQLSession``): its direct binding stores what
/// GRDB's would, its rows read back what was stored, and it fails the way GRDB does.
@Suite("SQLite session")
struct SQLValueTests {
    @Test("text (empty and not ASCII), integers, reals and NULL are stored as given, statement after statement")
    func valuesAreStoredAsGiven() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (a, b, c, d)")
            let insert = "INSERT INTO t (a, b, c, d) VALUES (?, ?, ?, ?)"
            for n in 0..<3 {
                let values: [SQLValue] = [.text(n == 0 ? "" : "é—x\(n)"), .integer(Int64.max - Int64(n)), .real(0.1 * Double(n)), .null]
                try db.execute(insert, values)
            }
            let last: [SQLValue] = [.text(nil as String?), .real(nil as Double?), .integer(7), .text("last")]
            try db.execute(insert, last)
            let rows = try Row.fetchAll(db, sql: "SELECT a, typeof(a), b, c, d FROM t ORDER BY rowid")
            #expect(rows[0]["a"] as String? == "" && rows[0][1] as String == "text")
            #expect(rows[1]["a"] as String? == "é—x1" && rows[2]["b"] as Int64? == Int64.max - 2)
            #expect(rows[2]["c"] as Double? == 0.2 && rows[2]["d"] as String? == nil)
            #expect(rows[3]["a"] as String? == nil && rows[3]["b"] as Double? == nil && rows[3]["c"] as Int64? == 7 && rows[3]["d"] as String? == "last")
        }
    }

    @Test("rows read back each value with its type, by column name in any case")
    func rowsReadBackTypedValues() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (name TEXT, count INTEGER, time REAL, gone TEXT)")
            try db.execute("INSERT INTO t VALUES (?, ?, ?, ?)", [.text("é"), .integer(42), .real(1.5), .null])
            let row = try #require(try db.row("SELECT * FROM t"))
            #expect(try row.text("NAME") == "é" && row.integer("count") == 42 && row.real("time") == 1.5)
            #expect(try row.optionalText("gone") == nil && row.real("count") == 42)
            #expect(throws: WorkflowError.self) { try row.text("gone") }
            #expect(throws: WorkflowError.self) { try row.integer("name") }
        }
    }

    @Test("a failing statement throws SQLite's code and message, and the next use of the statement starts clean")
    func failureIsADatabaseError() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE k (id TEXT PRIMARY KEY NOT NULL)")
            let insert = "INSERT INTO k (id) VALUES (?)"
            try db.execute(insert, [SQLValue.text("a")])
            let error = #expect(throws: DatabaseError.self) { try db.execute(insert, [SQLValue.text("a")]) }
            #expect(error?.resultCode == .SQLITE_CONSTRAINT)
            #expect(error?.message?.contains("UNIQUE") == true)
            #expect(StoreFailure.describe(error!)?.code == .storeFailed)
            try db.execute(insert, [SQLValue.text("b")])
            #expect(try String.fetchAll(db, sql: "SELECT id FROM k ORDER BY id") == ["a", "b"])
        }
    }
}

import WorkflowEngine

/// Copies everything one store holds into another that holds nothing (`workflowd migrate`):
/// SQLite into PostgreSQL, or back. Both stores share their tables and columns, so the copy is
/// the same for either direction: each table page by page in its key's order (500 rows a page,
/// each page one transaction), runs in the order they were recorded.
public enum StoreCopy {
    /// A table, the columns copied, and the key its pages are read in.
    struct Table {
        var name: String
        var columns: [String]
        var key: [String]
    }

    static let tables: [Table] = [
        Table(name: "definitionVersion", columns: ["hash", "name", "file", "document", "createdAt"], key: ["hash"]),
        Table(name: "instance", columns: ["name", "definition", "definitionHash", "ownerUID", "onBusy", "status", "head", "createdAt",
                                          "forkedFrom", "forkedFromCheckpoint", "nextWake", "paused"], key: ["name"]),
        Table(name: "checkpoint", columns: ["instance", "ordinal", "id", "parentId", "hasChild", "runId", "reason", "superstep", "time",
                                            "status", "openRequests", "messagesInFlight", "snapshot", "label", "parts"], key: ["instance", "ordinal"]),
        Table(name: "checkpointPart", columns: ["instance", "origin", "kind", "name", "value"], key: ["instance", "origin", "kind", "name"]),
        Table(name: "event", columns: ["instance", "seq", "time", "runId", "type", "body"], key: ["instance", "seq"]),
        // In the order recorded (rowid), which the listings of runs follow; the rowid itself is the destination's.
        Table(name: "run", columns: ["id", "instance", "status", "trigger", "input", "outputs", "error", "startedAt", "endedAt", "supersteps",
                                     "idempotencyKey"], key: ["rowid"]),
        Table(name: "inbox", columns: ["instance", "requestId", "executor", "response", "runId", "acceptedAt"], key: ["instance", "requestId"]),
        Table(name: "idempotencyKey", columns: ["instance", "key", "runId", "createdAt"], key: ["instance", "key"]),
        Table(name: "queuedRun", columns: ["instance", "position", "runId", "input", "idempotencyKey"], key: ["instance", "runId"]),
        Table(name: "schedule", columns: ["name", "ownerUID", "source", "spec", "paused", "nextFire", "lastFire", "createdAt"], key: ["name"]),
    ]

    /// Rows read and written per transaction.
    static let pageSize = 500

    /// Copies `source` into `destination`; returns the rows copied per table.
    /// - Throws: `storeFailed` if the destination holds anything (nothing is written then), or
    ///   what a database said; a copy that stopped part way says which table it was at (the
    ///   destination then holds part of the state: empty it and copy again).
    public static func copy(from source: any SQLStore, to destination: any SQLStore,
                            progress: @Sendable (_ table: String, _ rows: Int) -> Void = { _, _ in }) async throws -> [(table: String, rows: Int)] {
        let held = try await destination.read { db in
            try tables.map { table in (table.name, try db.integer("SELECT COUNT(*) FROM \(table.name)") ?? 0) }.filter { $0.1 > 0 }
        }
        if !held.isEmpty {
            throw WorkflowError(.storeFailed, "the destination is not empty (\(held.map { "\($0.0): \($0.1) rows" }.joined(separator: ", "))): copy only into an empty database")
        }
        var copied: [(table: String, rows: Int)] = []
        for table in tables {
            var count = 0
            var after: [SQLValue]?
            do {
                while true {
                    let cursor = after
                    let page = try await source.read { db in try Self.page(table, after: cursor, db) }
                    guard !page.isEmpty else { break }
                    try await destination.write { db in
                        try db.transaction {
                            let marks = Array(repeating: "?", count: table.columns.count).joined(separator: ", ")
                            let insert = "INSERT INTO \(table.name) (\(table.columns.joined(separator: ", "))) VALUES (\(marks))"
                            for row in page { try db.enqueue(insert, Array(row.allValues.dropFirst(table.key.count))) }
                        }
                    }
                    count += page.count
                    progress(table.name, count)
                    after = Array(page[page.count - 1].allValues.prefix(table.key.count))
                    if page.count < pageSize { break }
                }
            } catch {
                throw WorkflowError(.storeFailed, "the copy stopped at table \(table.name) after \(count) rows (the destination holds part of the state: empty it and copy again): \(error)",
                                    cause: error)
            }
            copied.append((table.name, count))
        }
        return copied
    }

    /// The page of `table` after key `after` (nil: the first): each row its key's values, then
    /// the columns copied.
    static func page(_ table: Table, after: [SQLValue]?, _ db: any SQLSession) throws -> [SQLRow] {
        let key = table.key.joined(separator: ", ")
        var sql = "SELECT \(key), \(table.columns.joined(separator: ", ")) FROM \(table.name)"
        if let after {
            let marks = Array(repeating: "?", count: after.count).joined(separator: ", ")
            sql += table.key.count == 1 ? " WHERE \(key) > ?" : " WHERE (\(key)) > (\(marks))"
        }
        sql += " ORDER BY \(key) LIMIT \(pageSize)"
        return try db.rows(sql, after ?? [])
    }
}

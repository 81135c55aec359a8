/// One database connection as the store's logic sees it: statements run synchronously, in order,
/// on the thread that holds the connection (the store's commit thread, or a reader).
///
/// The store's rules (commits, the event projection, checkpoints and their parts, retention,
/// recovery, schedules) are written once against this protocol and run on both backends:
/// SQLite through GRDB's `Database`, PostgreSQL through ``PostgresSession``. Statements use `?`
/// for the next value or `?N` for the Nth, and the SQL both databases share; what differs is
/// in ``SQLDialect``.
public protocol SQLSession {
    /// Which database this is, for the few statements that are written differently.
    var dialect: SQLDialect { get }
    /// Runs a statement that returns no rows; returns how many rows it inserted, changed or deleted.
    @discardableResult
    func execute(_ sql: String, _ values: [SQLValue]) throws -> Int
    /// Runs a statement whose outcome the caller does not need at once: a session may send it
    /// and go on, and report its failure at the next statement it waits for (at the latest the
    /// transaction's `COMMIT` or `RELEASE`). SQLite's runs it at once.
    func enqueue(_ sql: String, _ values: [SQLValue]) throws
    /// Runs a query; returns its rows.
    func rows(_ sql: String, _ values: [SQLValue]) throws -> [SQLRow]
    /// Runs a statement that begins or ends a transaction or savepoint (`BEGIN`, `COMMIT`,
    /// `ROLLBACK`, `SAVEPOINT`, `RELEASE`), so that the connection's own bookkeeping knows of it
    /// (GRDB tells its transaction observers of a commit only when it ran the `COMMIT` itself).
    func control(_ sql: String) throws
}

extension SQLSession {
    /// Runs a statement without values.
    @discardableResult
    func execute(_ sql: String) throws -> Int { try execute(sql, []) }

    /// The first row of a query, if any.
    func row(_ sql: String, _ values: [SQLValue] = []) throws -> SQLRow? { try rows(sql, values).first }

    /// Whether a query returns a row.
    func exists(_ sql: String, _ values: [SQLValue] = []) throws -> Bool { try !rows(sql, values).isEmpty }

    /// The first column of the first row, as text (nil: no row, or NULL).
    func text(_ sql: String, _ values: [SQLValue] = []) throws -> String? { try row(sql, values)?.first.textValue }

    /// The first column of the first row, as an integer (nil: no row, or NULL).
    func integer(_ sql: String, _ values: [SQLValue] = []) throws -> Int64? { try row(sql, values)?.first.integerValue }

    /// The first column of every row, as text.
    func texts(_ sql: String, _ values: [SQLValue] = []) throws -> [String] { try rows(sql, values).compactMap { $0.first.textValue } }

    /// Runs `body` in a transaction: committed if it returns, rolled back if it throws.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try control(dialect.begin)
        do {
            let value = try body()
            try control("COMMIT")
            return value
        } catch {
            _ = try? control("ROLLBACK")
            throw error
        }
    }
}

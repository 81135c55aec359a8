import Logging
import WorkflowConcurrency
import NIOCore
import PostgresNIO
import WorkflowEngine

/// A PostgreSQL connection as a session of the store: each statement one round trip, waited for
/// on the thread that holds the session (a store's worker thread: never an event loop, never
/// Swift's cooperative pool).
///
/// The store's statements mark values `?` (the next) or `?N` (the Nth); PostgreSQL's are `$N`.
/// Each statement's text is translated once and kept (the store runs a few dozen texts).
final class PostgresSession: SQLSession {
    let connection: PostgresConnection
    private let logger: Logger
    /// Translated statement texts; bounded by the store's own statements, plus the few whose
    /// text varies (a multi-row insert's width, an IN list's length): past 512 it starts over.
    private var translations: [String: String] = [:]
    /// Statements sent and not yet waited for (``enqueue(_:_:)``), in order.
    private var pending: [EventLoopFuture<PostgresQueryResult>] = []

    /// The connection's end and the one statement waited for: a single callback on the
    /// connection's `closeFuture` fails that statement's wait. (One callback per statement would
    /// be kept until the connection closes: a long-lived connection would hold millions.)
    private let closing = Locked(Closing())

    private struct Closing {
        var closed = false
        var waiter: (@Sendable () -> Void)?
        /// How many times the connection's end was heard (once; for the tests).
        var notices = 0
    }

    init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
        connection.closeFuture.whenComplete { [closing] _ in
            let waiter = closing.withLock { state in
                state.closed = true
                state.notices += 1
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?()
        }
    }

    /// How many callbacks the connection's end ran (one, however many statements were sent).
    var closeNotices: Int { closing.withLock { $0.notices } }

    var dialect: SQLDialect { .postgres }

    @discardableResult
    func execute(_ sql: String, _ values: [SQLValue]) throws -> Int {
        try run(sql, values).metadata.rows ?? 0
    }

    func rows(_ sql: String, _ values: [SQLValue]) throws -> [SQLRow] {
        try run(sql, values).rows.map { row in
            SQLRow(try row.map { cell in (cell.columnName, try Self.value(of: cell)) })
        }
    }

    /// Sends the statement and goes on: the connection runs statements in order, and the thread
    /// is woken once per group of them (at the next statement waited for) instead of once each.
    func enqueue(_ sql: String, _ values: [SQLValue]) throws {
        pending.append(connection.query(query(sql, values), logger: logger))
    }

    /// `BEGIN` and `SAVEPOINT` are sent and not waited for; `RELEASE` and `COMMIT` wait for every
    /// statement sent before them (the first failure among them is thrown, inside the
    /// transaction or savepoint that sent it); `ROLLBACK` waits for them and ignores their failures.
    func control(_ sql: String) throws {
        if sql.hasPrefix("BEGIN") || sql.hasPrefix("SAVEPOINT") { return try enqueue(sql, []) }
        if sql.hasPrefix("ROLLBACK") {
            try? drain()
        } else if sql.hasPrefix("RELEASE") {
            try enqueue(sql, [])
            return try drain()
        }
        try execute(sql, [])
    }

    /// Waits for every statement sent, ignoring their failures (after a body that threw before
    /// its transaction's end: what it sent must not fail the next, unrelated, statement).
    func settle() { try? drain() }

    /// Waits for every statement sent; throws the first failure among them.
    private func drain() throws {
        guard !pending.isEmpty else { return }
        let sent = pending
        pending = []
        var failure: (any Error)?
        for future in sent {
            do { _ = try wait(for: future) } catch { if failure == nil { failure = error } }
        }
        if let failure { throw PostgresFailure.describe(failure) }
    }

    private func query(_ sql: String, _ values: [SQLValue]) -> PostgresQuery {
        var bindings = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case .text(let text): bindings.append(text)
            case .integer(let number): bindings.append(number)
            case .real(let number): bindings.append(number)
            case .null: bindings.appendNull()
            }
        }
        return PostgresQuery(unsafeSQL: translation(of: sql), binds: bindings)
    }

    private func run(_ sql: String, _ values: [SQLValue]) throws -> PostgresQueryResult {
        try drain()
        do {
            return try wait(for: connection.query(query(sql, values), logger: logger))
        } catch {
            throw PostgresFailure.describe(error)
        }
    }

    /// The connection was closed before a statement's answer came.
    struct ConnectionClosed: Error, CustomStringConvertible {
        var description: String { "the connection to PostgreSQL was closed before the statement was answered" }
    }

    /// Waits for a statement's answer, or for the connection's end, whichever comes first. A
    /// statement written to a connection that has just closed is never answered (its write fails
    /// with no one to tell), so a bare `wait()` on it would wait for ever: found by CI, where the
    /// reconnect test's first read after the server ended the connection hung.
    private func wait<T: Sendable>(for future: EventLoopFuture<T>) throws -> T {
        let outcome = future.eventLoop.makePromise(of: T.self)
        let settled = Locked(false)
        @Sendable func settle(_ result: Result<T, any Error>) {
            guard settled.withLock({ done in defer { done = true }; return !done }) else { return }
            outcome.completeWith(result)
        }
        future.whenComplete { settle($0) }
        let closed = closing.withLock { state in
            if !state.closed { state.waiter = { settle(.failure(ConnectionClosed())) } }
            return state.closed
        }
        if closed { settle(.failure(ConnectionClosed())) }
        defer { closing.withLock { $0.waiter = nil } }
        return try outcome.futureResult.wait()
    }

    private func translation(of sql: String) -> String {
        if let known = translations[sql] { return known }
        if translations.count >= 512 { translations.removeAll(keepingCapacity: true) }
        let text = Self.translate(sql)
        translations[sql] = text
        return text
    }

    /// `?` → `$k` (k counting the bare marks), `?N` → `$N`; quoted text and names are left as they are.
    static func translate(_ sql: String) -> String {
        var output = ""
        output.reserveCapacity(sql.utf8.count + 16)
        var next = 0
        var quote: Character?
        var characters = sql.makeIterator()
        var pending = characters.next()
        while let character = pending {
            pending = characters.next()
            if let open = quote {
                output.append(character)
                if character == open { quote = nil }
                continue
            }
            switch character {
            case "'", "\"":
                quote = character
                output.append(character)
            case "?":
                var digits = ""
                while let digit = pending, digit.isASCII, digit.isNumber {
                    digits.append(digit)
                    pending = characters.next()
                }
                if digits.isEmpty {
                    next += 1
                    output += "$\(next)"
                } else {
                    output += "$" + digits
                }
            default:
                output.append(character)
            }
        }
        return output
    }

    /// A cell as a store value: integers and flags as integers, floating and numeric as reals,
    /// everything else as text.
    static func value(of cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8: return .integer(try cell.decode(Int64.self))
        case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
        case .float4, .float8: return .real(try cell.decode(Double.self))
        case .numeric:
            let text = try cell.decode(String.self)
            guard let number = Double(text) else { throw WorkflowError(.storeFailed, "PostgreSQL returned '\(text)' for a number") }
            return .real(number)
        default: return .text(try cell.decode(String.self))
        }
    }
}

import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import WorkflowConcurrency
import WorkflowEngine

/// The store on PostgreSQL, for several workflowd hosts sharing one database (DESIGN.md §12).
///
/// Its rules are ``SQLStore``'s, the same as ``SQLiteStore``'s; this type reaches the database:
/// one connection that writes, on a thread of its own (commits, and every other write, in
/// order), and one that reads, on another. Each statement is a round trip waited for on that
/// thread, never on an event loop or Swift's cooperative pool. A connection that is lost (the
/// server restarted, the network failed) is opened again at the next use; a read that found it
/// lost is tried once more, a write is not (whether it landed is the database's to say).
///
/// The schema is migrated when the store opens (`+Schema`), under an advisory lock, so that
/// hosts starting together migrate once.
public final class PostgresStore: SQLStore {
    public let shared: SQLStoreState
    /// Where the database is (its password is not shown by its description).
    public let location: PostgresLocation
    private let writer: PostgresWorker
    private let reader: PostgresWorker
    private let logger: Logger

    /// Connects to the database at `location` and brings its schema up to date.
    ///
    /// With `exclusive`, the writing connection holds advisory locks for as long as it is open,
    /// waiting up to `exclusiveWait` for them: a daemon's (with `configuration.host`) share the
    /// database with other hosts and hold their host id alone; without a host (`workflowd
    /// migrate`) the database is held alone. A daemon killed with SIGKILL releases them when the
    /// server sees its connection close. A daemon's store records its heartbeat as it opens.
    /// - Throws: a `storeFailed` error naming what PostgreSQL said, or that it could not be reached,
    ///   or that another workflowd uses the database.
    public static func open(_ location: PostgresLocation, configuration: StoreConfiguration = .init(), exclusive: Bool = false,
                            exclusiveWait: Duration = .seconds(10),
                            logger: Logger = Logger(label: "workflowd.store.postgres")) async throws -> PostgresStore {
        let hold: PostgresWorker.Hold = configuration.host.map { .host($0) } ?? .database
        let store = PostgresStore(location: location, configuration: configuration, lock: exclusive ? (hold, exclusiveWait) : nil, logger: logger)
        do {
            try await store.write { db in try PostgresSchema.migrate(db) }
            try await store.heartbeat()
            if let idle = configuration.idleTransactionLimit { try await store.writer.limitIdleTransactions(to: idle) }
        } catch {
            store.close()
            throw error
        }
        return store
    }

    private init(location: PostgresLocation, configuration: StoreConfiguration, lock: (hold: PostgresWorker.Hold, wait: Duration)?, logger: Logger) {
        self.location = location
        self.shared = SQLStoreState(configuration: configuration)
        self.logger = logger
        writer = PostgresWorker(name: "wfd-pg-write", location: location, lock: lock, logger: logger)
        reader = PostgresWorker(name: "wfd-pg-read", location: location, logger: logger)
    }

    deinit { close() }

    /// Closes both connections and stops their threads (work given after this fails).
    public func close() {
        writer.stop()
        reader.stop()
    }

    /// Listens on a connection of its own (asynchronous I/O, no thread waits on it): each
    /// notice for this host goes to `handler`. A lost connection is opened again after a second;
    /// notices sent meanwhile are lost, which each side's polling makes up for.
    public func listen(_ handler: @escaping @Sendable (StoreNotice) -> Void) async {
        guard let host = configuration.host else { return }
        var failing = false
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.any(),
                                                                      configuration: PostgresWorker.configuration(for: location), id: 3,
                                                                      logger: logger)
                do {
                    try await connection.listen(on: Self.noticeChannel) { notices in
                        if failing {
                            logger.notice("listening to the other hosts again")
                            failing = false
                        }
                        for try await notice in notices {
                            if let heard = Self.notice(notice.payload, for: host) { handler(heard) }
                        }
                    }
                } catch {
                    try? await connection.close()
                    throw error
                }
                try? await connection.close()
            } catch {
                if Task.isCancelled { return }
                if !failing {
                    logger.warning("lost the connection that hears the other hosts; polling meanwhile",
                                   metadata: ["error": "\(PostgresFailure.describe(error))"])
                    failing = true
                }
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T {
        try await writer.run(retryingLostConnection: false) { session in try body(session) }
    }

    /// Runs `body` in a read-only transaction at repeatable read: every statement sees the same
    /// snapshot (an instance's recovery reads its head, inbox, queue and runs as of one commit).
    public func read<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T {
        try await reader.run(retryingLostConnection: true) { session in
            try session.control("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            do {
                let value = try body(session)
                try session.control("COMMIT")
                return value
            } catch {
                _ = try? session.control("ROLLBACK")
                throw error
            }
        }
    }
}

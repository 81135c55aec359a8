import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import WorkflowConcurrency
import WorkflowEngine

/// A connection and the thread that uses it: statements wait on this thread for their answer.
final class PostgresWorker: @unchecked Sendable {
    private let thread: WorkerThread
    private let location: PostgresLocation
    private let logger: Logger
    /// The advisory lock a new connection takes and how long it waits for it; nil: none.
    private let lock: (hold: Hold, wait: Duration)?
    /// Touched only on ``thread``.
    private var session: PostgresSession?

    /// The advisory lock on the whole database (an arbitrary constant of workflowd's): every
    /// daemon holds it shared, `workflowd migrate` exclusively.
    static let daemonLock: Int64 = 7_406_115_726_210_393_189
    /// The first half of a host's advisory lock (the second is its id's hash).
    static let hostLockSpace: Int32 = 74_061_157

    /// What a writing connection holds while it is open.
    enum Hold: Sendable {
        /// The database alone (`workflowd migrate`): no daemon may use it meanwhile.
        case database
        /// A daemon's: the database shared with other hosts, and its own host id alone (two
        /// daemons under one id would take each other's instances for their own).
        case host(String)
    }

    /// With several hosts, how long a transaction of this connection may sit idle before the
    /// server ends the connection: a host paused in the middle of a commit (SIGSTOP, a VM
    /// frozen) would otherwise hold its instances' ownership rows locked, and no other host could
    /// take them over, however long its lease had run out. Found by the SIGSTOP test.
    /// Set once the store is open (``limitIdleTransactions(to:)``): a slow start (its migration) is
    /// never cut short. Touched only on ``thread``.
    private var idleTransactionTimeout: Duration?

    init(name: String, location: PostgresLocation, lock: (hold: Hold, wait: Duration)? = nil, logger: Logger) {
        thread = WorkerThread(name: name)
        self.location = location
        self.lock = lock
        self.logger = logger
    }

    func run<T: Sendable>(retryingLostConnection: Bool, _ body: @escaping @Sendable (PostgresSession) throws -> T) async throws -> T {
        try await thread.run { [self] in
            do {
                let session = try connected()
                defer { session.settle() }
                return try body(session)
            } catch where PostgresFailure.isConnectionLost(error) {
                dropConnection()
                guard retryingLostConnection else { throw error }
                return try body(try connected())
            }
        }
    }

    /// From now on (this connection and those opened again), a transaction idle for `limit` ends
    /// its connection.
    func limitIdleTransactions(to limit: Duration) async throws {
        try await thread.run { [self] in
            idleTransactionTimeout = limit
            try Self.limitIdleTransactions(try connected(), to: limit)
        }
    }

    private static func limitIdleTransactions(_ session: PostgresSession, to limit: Duration) throws {
        let parts = limit.components
        try session.execute("SET idle_in_transaction_session_timeout = \(max(1, parts.seconds * 1000 + parts.attoseconds / 1_000_000_000_000_000))")
    }

    /// Closes the connection (on its thread) and stops the thread.
    func stop() {
        _ = thread.submit { [self] in dropConnection() }
        thread.stop()
    }

    private func connected() throws -> PostgresSession {
        if let session, !session.connection.isClosed { return session }
        dropConnection()
        let configuration = Self.configuration(for: location)
        let connection: PostgresConnection
        do {
            connection = try PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration,
                                                        id: 1, logger: logger).wait()
        } catch {
            throw Self.connectFailure(error, location)
        }
        let session = PostgresSession(connection: connection, logger: logger)
        self.session = session
        if let idle = idleTransactionTimeout {
            do {
                try Self.limitIdleTransactions(session, to: idle)
            } catch {
                dropConnection()
                throw error
            }
        }
        if let lock {
            let wait = lock.wait.components
            do {
                try session.execute("SET lock_timeout = \(max(1, wait.seconds * 1000 + wait.attoseconds / 1_000_000_000_000_000))")
                switch lock.hold {
                case .database:
                    try session.execute("SELECT pg_advisory_lock(\(Self.daemonLock))")
                case .host(let id):
                    try session.execute("SELECT pg_advisory_lock_shared(\(Self.daemonLock))")
                    do {
                        try session.execute("SELECT pg_advisory_lock(\(Self.hostLockSpace), hashtext(?))", [.text(id)])
                    } catch let failure as WorkflowError where failure.details["sqlstate"] == "55P03" {
                        throw WorkflowError(.storeFailed, "another workflowd runs as host '\(id)' on the database \(location): give each daemon its own --host-id")
                    }
                }
                try session.execute("RESET lock_timeout")
            } catch {
                dropConnection()
                if let failure = error as? WorkflowError, failure.details["sqlstate"] == "55P03" {
                    throw WorkflowError(.storeFailed, "another workflowd uses the database \(location) (it holds the database's lock): workflowd migrate needs it alone")
                }
                throw error
            }
        }
        return session
    }

    /// How to connect to `location`.
    static func configuration(for location: PostgresLocation) -> PostgresConnection.Configuration {
        var configuration: PostgresConnection.Configuration
        if let socket = location.unixSocketPath {
            configuration = .init(unixSocketPath: socket, username: location.user, password: location.password, database: location.database)
        } else {
            configuration = .init(host: location.host, port: location.port, username: location.user, password: location.password,
                                  database: location.database, tls: .disable)
        }
        configuration.options.connectTimeout = .seconds(Int64(location.connectTimeout))
        return configuration
    }

    private func dropConnection() {
        guard let session else { return }
        self.session = nil
        try? session.connection.close().wait()
    }

    static func connectFailure(_ error: any Error, _ location: PostgresLocation) -> any Error {
        let described = PostgresFailure.describe(error)
        guard var failure = described as? WorkflowError else {
            return WorkflowError(.storeFailed, "PostgreSQL at \(location) could not be reached: \(error)")
        }
        failure.message = "PostgreSQL at \(location): " + failure.message
        return failure
    }
}

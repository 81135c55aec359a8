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
    /// How long a new connection waits for the database's daemon lock; nil: it takes none.
    private let lock: Duration?
    /// Touched only on ``thread``.
    private var session: PostgresSession?

    /// The advisory lock a daemon's writing connection holds (an arbitrary constant of workflowd's).
    static let daemonLock: Int64 = 7_406_115_726_210_393_189

    init(name: String, location: PostgresLocation, lock: Duration? = nil, logger: Logger) {
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

    /// Closes the connection (on its thread) and stops the thread.
    func stop() {
        _ = thread.submit { [self] in dropConnection() }
        thread.stop()
    }

    private func connected() throws -> PostgresSession {
        if let session, !session.connection.isClosed { return session }
        dropConnection()
        var configuration: PostgresConnection.Configuration
        if let socket = location.unixSocketPath {
            configuration = .init(unixSocketPath: socket, username: location.user, password: location.password, database: location.database)
        } else {
            configuration = .init(host: location.host, port: location.port, username: location.user, password: location.password,
                                  database: location.database, tls: .disable)
        }
        configuration.options.connectTimeout = .seconds(10)
        let connection: PostgresConnection
        do {
            connection = try PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration,
                                                        id: 1, logger: logger).wait()
        } catch {
            throw Self.connectFailure(error, location)
        }
        let session = PostgresSession(connection: connection, logger: logger)
        self.session = session
        if let lock {
            do {
                try session.execute("SET lock_timeout = \(max(1, lock.components.seconds * 1000 + lock.components.attoseconds / 1_000_000_000_000_000))")
                try session.execute("SELECT pg_advisory_lock(\(Self.daemonLock))")
                try session.execute("RESET lock_timeout")
            } catch {
                dropConnection()
                if let failure = error as? WorkflowError, failure.details["sqlstate"] == "55P03" {
                    throw WorkflowError(.storeFailed, "another workflowd uses the database \(location) (it holds the database's lock): one daemon per database, until several hosts can share one")
                }
                throw error
            }
        }
        return session
    }

    private func dropConnection() {
        guard let session else { return }
        self.session = nil
        try? session.connection.close().wait()
    }

    private static func connectFailure(_ error: any Error, _ location: PostgresLocation) -> any Error {
        let described = PostgresFailure.describe(error)
        guard var failure = described as? WorkflowError else {
            return WorkflowError(.storeFailed, "PostgreSQL at \(location) could not be reached: \(error)")
        }
        failure.message = "PostgreSQL at \(location): " + failure.message
        return failure
    }
}

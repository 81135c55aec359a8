#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import GRDB
import WorkflowConcurrency
import WorkflowJSON
import WorkflowEngine

/// The embedded store: one SQLite database (WAL) in the state directory, through GRDB.
///
/// It keeps instances, checkpoints (JSON snapshots with their parent), each instance's event log,
/// runs (status, input, outputs, error, times), the responses inbox (accepted, not yet delivered),
/// idempotency keys and queued runs. A ``commit(_:)`` is one transaction: a superstep's checkpoint,
/// its events, the instance's status and everything that follows from its events land together or
/// not at all. What the engine publishes is already on disk when a commit returns (in `normal`
/// durability, safe from a process crash; in `full`, from a power loss).
///
/// Every method that touches the database is `async` and does its blocking work off Swift's
/// cooperative pool: writes on the store's own thread (`committer`), reads on GRDB's reader
/// queues. The store's rules are ``SQLStore``'s, shared with ``PostgresStore``; this file opens
/// the database, `+Schema` migrates it, `+Maintenance` checks it and measures it.
public final class SQLiteStore: SQLStore {
    public let path: String
    public let shared: SQLStoreState
    /// The GRDB pool, for tools that inspect or observe the database (the crash test uses it to
    /// die inside a commit).
    public let database: DatabasePool
    /// Moves the write-ahead log into the database off the commit path.
    let checkpointer: WALCheckpointer
    /// The thread that writes (GRDB's writer connection, entered synchronously from here: a
    /// commit runs on this thread, not on a dispatch worker woken for it).
    let committer = WorkerThread(name: "wfd-commit")
    /// An exclusive store's lock file (`PATH.lock`, flock'd for the store's lifetime), or -1.
    private let lockDescriptor: Int32

    /// Retention limits and durability.
    public var configuration: StoreConfiguration { shared.configuration }

    /// Background WAL checkpoints that failed, and the last one's cause (a checkpoint that the
    /// database was too busy for is tried again later; the log is never lost, only longer).
    public var checkpointFailures: (count: Int, last: String?) { checkpointer.failures }

    /// Opens (creating if needed) the database at `path` and migrates it, on a thread of its
    /// own (opening and migrating block). With `exclusive` (the daemon's, and `workflowd
    /// migrate`'s), the store holds `PATH.lock` locked for its lifetime: a second exclusive store
    /// on the same database is refused at once, naming the cause.
    public static func open(path: String, configuration: StoreConfiguration = .init(), exclusive: Bool = false) async throws -> SQLiteStore {
        try await QueueWork.run(on: DispatchQueue(label: "workflowd.store.open")) {
            try SQLiteStore(path: path, configuration: configuration, exclusive: exclusive)
        }
    }

    /// Opens (creating if needed) the database at `path` and migrates it to the current schema.
    /// It blocks: from async code, use ``open(path:configuration:exclusive:)``.
    public init(path: String, configuration: StoreConfiguration = .init(), exclusive: Bool = false) throws {
        if exclusive {
            let descriptor = Glibc.open(path + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else {
                throw WorkflowError(.storeFailed, "cannot open \(path).lock: \(String(cString: strerror(errno)))")
            }
            guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
                let reason = errno == EWOULDBLOCK ? "another workflowd uses the database \(path) (it holds \(path).lock)"
                                                  : "cannot lock \(path).lock: \(String(cString: strerror(errno)))"
                Glibc.close(descriptor)
                throw WorkflowError(.storeFailed, reason)
            }
            lockDescriptor = descriptor
        } else {
            lockDescriptor = -1
        }
        self.path = path
        self.shared = SQLStoreState(configuration: configuration)
        var config = Configuration()
        config.label = "workflowd.store"
        // Every event insert would look its instance up; commit checks the instance once instead,
        // and deleteInstance removes an instance's rows itself.
        config.foreignKeysEnabled = false
        // The store's threads at the default priority: GRDB's default (user-initiated) has
        // libdispatch ask for a negative nice value at every worker thread it starts, which an
        // unprivileged service may not have (a journal line each time, about one a minute idle).
        config.qos = .default
        // Another process may hold the database for a moment (a backup, an inspection): wait for
        // it on the store's own threads rather than fail at once.
        config.busyMode = .timeout(configuration.busyTimeout)
        // Statement journals (the savepoint of each instance's group in a group commit) and
        // sorts stay in memory: on disk, SQLite made, opened and unlinked a file in /var/tmp for
        // every commit (seen with strace: three files per run).
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA temp_store = MEMORY") }
        database = try DatabasePool(path: path, configuration: config)
        // Set on the writer, after GRDB's WAL set-up (which sets NORMAL): this connection commits.
        let synchronous = configuration.durability == .full ? "FULL" : "NORMAL"
        try database.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
            // The log is checkpointed by WALCheckpointer, not inside a commit.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
        }
        try Self.migrator.migrate(database)
        checkpointer = try WALCheckpointer(path: path, busyTimeout: configuration.busyTimeout) { [database, committer] done in
            committer.submit {
                done(Result { try database.writeWithoutTransaction { db in _ = try db.checkpoint(.passive) } })
            }
        }
        database.add(transactionObserver: checkpointer, extent: .databaseLifetime)
    }

    deinit {
        committer.stop()
        if lockDescriptor >= 0 { Glibc.close(lockDescriptor) }
    }

    /// Runs `body` on the commit thread through GRDB's writer connection. GRDB's own async
    /// `write` interrupts SQLite when its task is cancelled, which would fail a commit because a
    /// run was cancelled or a client went away (and, in a group commit, fail every instance's
    /// batches with it); this is never interrupted.
    public func write<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T {
        try await committer.run { [database] in try database.writeWithoutTransaction { db in try body(db) } }
    }

    /// Runs `body` on one of GRDB's readers, in one read transaction (a snapshot of the last commit).
    public func read<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T {
        try await database.read { db in try body(db) }
    }
}

import Dispatch
import GRDB
import WorkflowConcurrency
import WorkflowJSON
import WorkflowEngine

/// The durable ``CheckpointStore``: one SQLite database (WAL) in the state directory, through GRDB.
///
/// It keeps instances, checkpoints (JSON snapshots with their parent), each instance's event log,
/// runs (status, input, outputs, error, times), the responses inbox (accepted, not yet delivered),
/// idempotency keys and queued runs. A ``commit(_:)`` is one transaction: a superstep's checkpoint,
/// its events, the instance's status and everything that follows from its events land together or
/// not at all. What the engine publishes is already on disk when a commit returns (in `normal`
/// durability, safe from a process crash; in `full`, from a power loss).
///
/// Every method that touches the database is `async` and does its blocking work on GRDB's own
/// dispatch queues (one writer, a few readers), never on Swift's cooperative pool.
public final class SQLiteStore: CheckpointStore {
    public let path: String
    public let configuration: StoreConfiguration
    /// The GRDB pool, for tools that inspect or observe the database (the crash test uses it to
    /// die inside a commit).
    public let database: DatabasePool
    /// Run ends per instance since its last retention pass (see ``pruneTurn(_:)``).
    private let runEnds = Locked<[String: Int]>([:])
    /// Moves the write-ahead log into the database off the commit path.
    private let checkpointer: WALCheckpointer

    /// Background WAL checkpoints that failed, and the last one's cause (a checkpoint that the
    /// database was too busy for is tried again later; the log is never lost, only longer).
    public var checkpointFailures: (count: Int, last: String?) { checkpointer.failures }

    /// Opens (creating if needed) the database at `path` and migrates it, on a thread of its
    /// own (opening and migrating block).
    public static func open(path: String, configuration: StoreConfiguration = .init()) async throws -> SQLiteStore {
        try await QueueWork.run(on: DispatchQueue(label: "workflowd.store.open")) {
            try SQLiteStore(path: path, configuration: configuration)
        }
    }

    /// Opens (creating if needed) the database at `path` and migrates it to the current schema.
    /// It blocks: from async code, use ``open(path:configuration:)``.
    public init(path: String, configuration: StoreConfiguration = .init()) throws {
        self.path = path
        self.configuration = configuration
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
        checkpointer = try WALCheckpointer(path: path, busyTimeout: configuration.busyTimeout)
        database.add(transactionObserver: checkpointer, extent: .databaseLifetime)
    }

    /// The schema, version by version. A later version adds a migration; it never edits one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: instances, checkpoints, events, runs, inbox, keys, queue") { db in
            try db.execute(sql: """
                CREATE TABLE instance (
                    name TEXT PRIMARY KEY NOT NULL,
                    definition TEXT NOT NULL,
                    definitionHash TEXT NOT NULL,
                    ownerUID INTEGER NOT NULL DEFAULT 0,
                    onBusy TEXT NOT NULL DEFAULT 'reject',
                    status TEXT NOT NULL DEFAULT 'idle',
                    head TEXT,
                    createdAt REAL NOT NULL,
                    forkedFrom TEXT,
                    forkedFromCheckpoint TEXT
                );
                CREATE TABLE checkpoint (
                    instance TEXT NOT NULL REFERENCES instance(name) ON DELETE CASCADE,
                    ordinal INTEGER NOT NULL,
                    id TEXT NOT NULL UNIQUE,
                    parentId TEXT,
                    hasChild INTEGER NOT NULL DEFAULT 0,
                    runId TEXT,
                    reason TEXT NOT NULL,
                    superstep INTEGER NOT NULL,
                    time REAL NOT NULL,
                    status TEXT NOT NULL,
                    openRequests INTEGER NOT NULL,
                    messagesInFlight INTEGER NOT NULL,
                    snapshot TEXT NOT NULL,
                    PRIMARY KEY (instance, ordinal)
                ) WITHOUT ROWID;
                CREATE TABLE event (
                    instance TEXT NOT NULL REFERENCES instance(name) ON DELETE CASCADE,
                    seq INTEGER NOT NULL,
                    time REAL NOT NULL,
                    runId TEXT,
                    type TEXT NOT NULL,
                    body TEXT NOT NULL,
                    PRIMARY KEY (instance, seq)
                ) WITHOUT ROWID;
                CREATE TABLE run (
                    id TEXT PRIMARY KEY NOT NULL,
                    instance TEXT NOT NULL REFERENCES instance(name) ON DELETE CASCADE,
                    status TEXT NOT NULL,
                    trigger TEXT NOT NULL,
                    input TEXT NOT NULL,
                    outputs TEXT NOT NULL DEFAULT '[]',
                    error TEXT,
                    startedAt REAL NOT NULL,
                    endedAt REAL
                );
                CREATE INDEX run_by_instance ON run(instance, startedAt);
                CREATE TABLE inbox (
                    instance TEXT NOT NULL REFERENCES instance(name) ON DELETE CASCADE,
                    requestId TEXT NOT NULL,
                    executor TEXT NOT NULL,
                    response TEXT NOT NULL,
                    runId TEXT,
                    acceptedAt REAL NOT NULL,
                    PRIMARY KEY (instance, requestId)
                );
                CREATE TABLE idempotencyKey (
                    instance TEXT NOT NULL REFERENCES instance(name) ON DELETE CASCADE,
                    key TEXT NOT NULL,
                    runId TEXT NOT NULL,
                    PRIMARY KEY (instance, key)
                );
                CREATE TABLE queuedRun (
                    instance TEXT NOT NULL REFERENCES instance(name) ON DELETE CASCADE,
                    position INTEGER NOT NULL,
                    runId TEXT NOT NULL,
                    input TEXT NOT NULL,
                    idempotencyKey TEXT,
                    PRIMARY KEY (instance, runId)
                );
                """)
        }
        migrator.registerMigration("v2: idempotency keys expire") { db in
            try db.execute(sql: "ALTER TABLE idempotencyKey ADD COLUMN createdAt REAL NOT NULL DEFAULT 0")
            try db.execute(sql: "CREATE INDEX idempotencyKey_by_age ON idempotencyKey(instance, createdAt)")
        }
        migrator.registerMigration("v3: definition versions, checkpoint labels") { db in
            try db.execute(sql: """
                CREATE TABLE definitionVersion (
                    hash TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    file TEXT NOT NULL,
                    document TEXT NOT NULL,
                    createdAt REAL NOT NULL
                );
                ALTER TABLE checkpoint ADD COLUMN label TEXT;
                CREATE UNIQUE INDEX checkpoint_label ON checkpoint(instance, label) WHERE label IS NOT NULL;
                CREATE INDEX instance_by_status ON instance(status);
                """)
        }
        // A rowid table with the key in an index of its own: in a WITHOUT ROWID table every key
        // comparison reads the whole row, a megabyte for a large value.
        migrator.registerMigration("v4: checkpoints keep large values apart, once") { db in
            try db.execute(sql: """
                ALTER TABLE checkpoint ADD COLUMN parts TEXT;
                CREATE TABLE checkpointPart (
                    instance TEXT NOT NULL,
                    origin TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    name TEXT NOT NULL,
                    value TEXT NOT NULL
                );
                CREATE UNIQUE INDEX checkpointPart_key ON checkpointPart(instance, origin, kind, name);
                """)
        }
        // NULL for runs recorded before: their count is unknown, not zero.
        migrator.registerMigration("v5: runs count their supersteps") { db in
            try db.execute(sql: "ALTER TABLE run ADD COLUMN supersteps INTEGER")
        }
        return migrator
    }

    // MARK: Instances

    /// Registers a new instance.
    /// - Throws: `WorkflowError(.instanceExists)` if the name is taken.
    public func createInstance(_ record: InstanceRecord) async throws {
        try await database.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM instance WHERE name = ?", arguments: [record.name]) == true {
                throw WorkflowError(.instanceExists, "instance '\(record.name)' already exists", details: ["instance": .string(record.name)])
            }
            try db.execute(sql: """
                INSERT INTO instance (name, definition, definitionHash, ownerUID, onBusy, status, head, createdAt, forkedFrom, forkedFromCheckpoint)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [record.name, record.definition, record.definitionHash, Int64(record.ownerUID), record.onBusy,
                                 record.status, record.head, record.createdAt, record.forkedFrom, record.forkedFromCheckpoint])
        }
    }

    /// The instance named `name`, if there is one.
    public func instance(named name: String) async throws -> InstanceRecord? {
        try await database.read { db in try Row.fetchOne(db, sql: "SELECT * FROM instance WHERE name = ?", arguments: [name]).map(Self.instanceRecord) }
    }

    /// Every instance, by name.
    public func instances() async throws -> [InstanceRecord] {
        try await database.read { db in try Row.fetchAll(db, sql: "SELECT * FROM instance ORDER BY name").map(Self.instanceRecord) }
    }

    /// Deletes an instance with its checkpoints, events, runs, inbox, keys and queue.
    @discardableResult
    public func deleteInstance(named name: String) async throws -> Bool {
        try await database.write { db in
            for table in ["checkpoint", "checkpointPart", "event", "run", "inbox", "idempotencyKey", "queuedRun"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE instance = ?", arguments: [name])
            }
            try db.execute(sql: "DELETE FROM instance WHERE name = ?", arguments: [name])
            return db.changesCount > 0
        }
    }

    static func instanceRecord(_ row: Row) -> InstanceRecord {
        InstanceRecord(name: row["name"], definition: row["definition"], definitionHash: row["definitionHash"],
                       ownerUID: UInt32(truncatingIfNeeded: row["ownerUID"] as Int64), onBusy: row["onBusy"], status: row["status"],
                       head: row["head"], createdAt: row["createdAt"], forkedFrom: row["forkedFrom"],
                       forkedFromCheckpoint: row["forkedFromCheckpoint"])
    }

    // MARK: CheckpointStore

    /// Commits consecutive batches in one transaction: all of them, or none.
    public func commit(_ batches: [StoreBatch]) async throws {
        guard !batches.isEmpty else { return }
        try await uninterruptibleWrite { db in
            // An explicit transaction: GRDB's general one costs more than the statements here.
            try db.cachedStatement(sql: "BEGIN IMMEDIATE").execute()
            do {
                try self.write(batches, db)
                try db.cachedStatement(sql: "COMMIT").execute()
            } catch {
                try? db.execute(sql: "ROLLBACK")
                throw error
            }
        }
    }

    /// Commits several instances' groups of batches in one transaction, each group in a savepoint:
    /// a group that fails is rolled back alone (its error is returned in its place), the others
    /// commit. If the transaction itself fails, this throws and nothing was stored.
    public func commit(groups: [[StoreBatch]]) async throws -> [(any Error & Sendable)?] {
        guard !groups.isEmpty else { return [] }
        return try await uninterruptibleWrite { db in
            try db.cachedStatement(sql: "BEGIN IMMEDIATE").execute()
            var outcomes: [(any Error & Sendable)?] = []
            do {
                for group in groups {
                    try db.cachedStatement(sql: "SAVEPOINT batchGroup").execute()
                    do {
                        try self.write(group, db)
                        try db.cachedStatement(sql: "RELEASE batchGroup").execute()
                        outcomes.append(nil)
                    } catch {
                        try db.execute(sql: "ROLLBACK TO batchGroup")
                        try db.execute(sql: "RELEASE batchGroup")
                        outcomes.append(error)
                    }
                }
                try db.cachedStatement(sql: "COMMIT").execute()
            } catch {
                try? db.execute(sql: "ROLLBACK")
                throw error
            }
            return outcomes
        }
    }

    /// Runs a write on GRDB's writer queue (never on the cooperative pool) that the cancel of
    /// the awaiting task does not interrupt: GRDB's async `write` interrupts SQLite when its task
    /// is cancelled, which would fail a commit because a run was cancelled or a client went away
    /// (and, in a group commit, fail every instance's batches with it). A commit is wholly in or
    /// out, decided by the database, not by who happened to wait for it.
    func uninterruptibleWrite<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            database.asyncWriteWithoutTransaction { db in
                do { continuation.resume(returning: try body(db)) } catch { continuation.resume(throwing: error) }
            }
        }
    }

    /// Writes consecutive batches inside the caller's transaction. What only the last of them
    /// decides (an instance's head and status) is written once, at the end (or before a prune
    /// that reads it); a checkpoint continued by a later one in the group is inserted as such.
    private func write(_ batches: [StoreBatch], _ db: Database) throws {
        var group = GroupWrite()
        for batch in batches { if let parent = batch.checkpoint?.parentID { group.continued.insert(parent) } }
        for batch in batches { try write(batch, &group, db) }
        try group.flush(db)
    }

    private func write(_ batch: StoreBatch, _ group: inout GroupWrite, _ db: Database) throws {
        if group.checked.insert(batch.instance).inserted {
            guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM instance WHERE name = ?"), arguments: [batch.instance]) == true else {
                throw WorkflowError(.storeFailed, "the store has no instance '\(batch.instance)'")
            }
        }
        group.events += batch.events.lazy.map { (batch.instance, $0) }
        var runEnded = false
        for event in batch.events {
            runEnded = try apply(event, instance: batch.instance, &group, db) || runEnded
        }
        if let checkpoint = batch.checkpoint {
            let ordinal = try group.nextOrdinal(instance: batch.instance, db)
            try insert(checkpoint, ordinal: ordinal, hasChild: group.continued.contains(checkpoint.id), changes: batch.checkpointChanges,
                       instance: batch.instance, &group, db)
            if let parent = checkpoint.parentID, !group.written.contains(parent) {
                try db.cachedStatement(sql: "UPDATE checkpoint SET hasChild = 1 WHERE id = ? AND hasChild = 0").execute(arguments: [parent])
            }
            group.written.insert(checkpoint.id)
            group.heads[batch.instance] = checkpoint.id
        }
        if let status = batch.status { group.statuses[batch.instance] = status.rawValue }
        for queued in batch.queuedRuns {
            try db.execute(sql: """
                INSERT INTO queuedRun (instance, position, runId, input, idempotencyKey)
                VALUES (?, (SELECT COALESCE(MAX(position), 0) + 1 FROM queuedRun WHERE instance = ?), ?, ?, ?)
                """, arguments: [batch.instance, batch.instance, queued.runID, queued.input.serialized(), queued.idempotencyKey])
        }
        for key in batch.idempotencyKeys {
            try db.execute(sql: "INSERT OR REPLACE INTO idempotencyKey (instance, key, runId, createdAt) VALUES (?, ?, ?, ?)",
                           arguments: [batch.instance, key.key, key.runID, key.createdAt])
        }
        if runEnded && pruneTurn(batch.instance) {
            try group.flush(db)
            try prune(instance: batch.instance, db)
        }
    }

    /// Whether retention runs at this run end of `instance`: at its first since the store was
    /// opened, then every ``StoreConfiguration/pruneInterval`` run ends (each pass deletes what
    /// several runs left, in the same few pages, instead of touching them at every run). The
    /// counts are bounded: past 4,096 instances they start over (those prune at their next end).
    func pruneTurn(_ instance: String) -> Bool {
        let interval = configuration.pruneInterval
        return runEnds.withLock { counts in
            let ended = counts[instance] ?? 0
            if ended == 0 && counts.count >= 4_096 { counts.removeAll(keepingCapacity: true) }
            counts[instance] = (ended + 1) % interval
            return ended == 0
        }
    }

    /// Keeps the derived tables in step with one event; returns whether a run ended.
    private func apply(_ event: WorkflowEvent, instance: String, _ group: inout GroupWrite, _ db: Database) throws -> Bool {
        switch event.body {
        case .runStarted(let trigger, let input):
            guard let runID = event.runID else { return false }
            try db.cachedStatement(sql: """
                INSERT INTO run (id, instance, status, trigger, input, startedAt, supersteps) VALUES (?, ?, 'in_progress', ?, ?, ?, 0)
                ON CONFLICT(id) DO UPDATE SET status = 'in_progress', endedAt = NULL
                """).execute(arguments: [runID, instance, trigger.rawValue, input.serialized(), event.time])
            try db.cachedStatement(sql: "DELETE FROM queuedRun WHERE instance = ? AND runId = ?").execute(arguments: [instance, runID])
        case .runRecovered:
            // The same run goes on (or a new one delivers what was accepted): in progress again.
            guard let runID = event.runID else { return false }
            try db.cachedStatement(sql: """
                INSERT INTO run (id, instance, status, trigger, input, startedAt, supersteps) VALUES (?, ?, 'in_progress', 'recovery', 'null', ?, 0)
                ON CONFLICT(id) DO UPDATE SET status = 'in_progress', endedAt = NULL
                """).execute(arguments: [runID, instance, event.time])
        case .superstepCompleted:
            // Counted in the group, written once per run per transaction (see GroupWrite.flush).
            guard let runID = event.runID else { return false }
            group.supersteps[runID, default: 0] += 1
        case .status(let status):
            guard let runID = event.runID, status != .inProgress else { return false }
            try db.cachedStatement(sql: "UPDATE run SET status = ?, endedAt = ? WHERE id = ?").execute(arguments: [status.rawValue, event.time, runID])
            return true
        case .runFailed(let error):
            guard let runID = event.runID else { return false }
            try db.cachedStatement(sql: "UPDATE run SET error = ? WHERE id = ?").execute(arguments: [error.json.serialized(), runID])
        case .output(_, let value):
            guard let runID = event.runID else { return false }
            try db.cachedStatement(sql: "UPDATE run SET outputs = json_insert(outputs, '$[#]', json(?)) WHERE id = ?")
                .execute(arguments: [value.serialized(), runID])
        case .responseAccepted(let requestID, let executor, let response):
            try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO inbox (instance, requestId, executor, response, runId, acceptedAt) VALUES (?, ?, ?, ?, ?, ?)
                """).execute(arguments: [instance, requestID, executor, response.serialized(), event.runID, event.time])
        case .executorInvoked(_, _, _, let requestID):
            guard let requestID else { return false }
            try db.cachedStatement(sql: "DELETE FROM inbox WHERE instance = ? AND requestId = ?").execute(arguments: [instance, requestID])
        case .instanceReset:
            group.heads[instance] = nil
            for table in ["inbox", "idempotencyKey", "queuedRun"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE instance = ?", arguments: [instance])
            }
            try db.execute(sql: "UPDATE instance SET head = NULL WHERE name = ?", arguments: [instance])
        case .instanceRewound(let checkpointID):
            group.heads[instance] = nil
            try restoreInbox(instance: instance, from: checkpointID, db)
        case .instanceForked(let fromInstance, let checkpointID):
            group.heads[instance] = nil
            try restoreInbox(instance: instance, from: checkpointID, db)
            try db.execute(sql: "UPDATE instance SET forkedFrom = ?, forkedFromCheckpoint = ? WHERE name = ?",
                           arguments: [fromInstance, checkpointID, instance])
        default:
            break
        }
        return false
    }

    /// After a rewind or fork, the lineage head is the restored checkpoint and the inbox holds the
    /// responses that checkpoint has in flight.
    private func restoreInbox(instance: String, from checkpointID: String, _ db: Database) throws {
        try db.execute(sql: "UPDATE instance SET head = ? WHERE name = ?", arguments: [checkpointID, instance])
        try db.execute(sql: "DELETE FROM inbox WHERE instance = ?", arguments: [instance])
        guard let text = try String.fetchOne(db, sql: "SELECT snapshot FROM checkpoint WHERE id = ?", arguments: [checkpointID]) else { return }
        let checkpoint = try Checkpoint(json: try JSON(parsing: text))
        for message in checkpoint.messages {
            guard let request = message.request else { continue }
            try db.execute(sql: "INSERT OR REPLACE INTO inbox (instance, requestId, executor, response, runId, acceptedAt) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [instance, request.id, request.executor, message.payload.serialized(), nil as String?, checkpoint.time])
        }
    }

    public func checkpoint(id: String) async throws -> Checkpoint? {
        try await database.read { db in try Self.loadCheckpoint(id: id, db) }
    }

    public func checkpoints(instance: String) async throws -> [CheckpointSummary] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM checkpoint WHERE instance = ? ORDER BY ordinal", arguments: [instance]).map(Self.summary)
        }
    }

    @discardableResult
    public func deleteCheckpoint(id: String) async throws -> Bool {
        try await database.write { db in
            guard let instance = try String.fetchOne(db, sql: "SELECT instance FROM checkpoint WHERE id = ?", arguments: [id]) else { return false }
            return try self.deleteCheckpoints(instance: instance, where: "id = :id", arguments: ["instance": instance, "id": id], db) > 0
        }
    }

    public func oldestEventSeq(instance: String) async throws -> UInt64? {
        try await database.read { db in
            try Int64.fetchOne(db, sql: "SELECT MIN(seq) FROM event WHERE instance = ?", arguments: [instance]).map { UInt64($0) }
        }
    }

    public func events(instance: String, afterSeq: UInt64, limit: Int) async throws -> [WorkflowEvent] {
        let bodies = try await database.read { db in
            try String.fetchAll(db, sql: "SELECT body FROM event WHERE instance = ? AND seq > ? ORDER BY seq LIMIT ?",
                                arguments: [instance, Int64(clamping: afterSeq), Int64(max(0, limit))])
        }
        return try bodies.map { try WorkflowEvent(json: try JSON(parsing: $0)) }
    }

    static func summary(_ row: Row) throws -> CheckpointSummary {
        guard let reason = Checkpoint.Reason(rawValue: row["reason"]), let status = InstanceStatus(rawValue: row["status"]) else {
            throw WorkflowError(.invalidCheckpoint, "checkpoint \(row["id"] as String) has an unknown reason or status")
        }
        return CheckpointSummary(id: row["id"], parentID: row["parentId"], instance: row["instance"], runID: row["runId"], reason: reason,
                                 superstep: row["superstep"], time: row["time"], status: status,
                                 openRequests: row["openRequests"], messagesInFlight: row["messagesInFlight"])
    }
}

import WorkflowEngine

/// The PostgreSQL schema, version by version: the same tables and columns as SQLite's (the store's
/// statements are shared), with PostgreSQL's types. A later version adds a migration; it never
/// edits one. Names that are ordered or paged by (instance and schedule names, request ids) sort
/// bytewise (`COLLATE "C"`), as in SQLite, whatever the database's locale.
enum PostgresSchema {
    /// Each version's name and statements.
    static let migrations: [(name: String, sql: String)] = [
        ("v1: instances, checkpoints, events, runs, inbox, keys, queue, definitions, schedules", """
            CREATE TABLE instance (
                name TEXT COLLATE "C" PRIMARY KEY,
                definition TEXT NOT NULL,
                definitionHash TEXT NOT NULL,
                ownerUID BIGINT NOT NULL DEFAULT 0,
                onBusy TEXT NOT NULL DEFAULT 'reject',
                status TEXT NOT NULL DEFAULT 'idle',
                head TEXT,
                createdAt DOUBLE PRECISION NOT NULL,
                forkedFrom TEXT,
                forkedFromCheckpoint TEXT,
                nextWake DOUBLE PRECISION,
                paused TEXT
            );
            CREATE INDEX instance_by_status ON instance(status);
            CREATE INDEX instance_by_wake ON instance(nextWake) WHERE nextWake IS NOT NULL;
            CREATE INDEX instance_paused ON instance(name) WHERE paused IS NOT NULL;
            CREATE TABLE checkpoint (
                instance TEXT NOT NULL,
                ordinal BIGINT NOT NULL,
                id TEXT NOT NULL UNIQUE,
                parentId TEXT,
                hasChild BIGINT NOT NULL DEFAULT 0,
                runId TEXT,
                reason TEXT NOT NULL,
                superstep BIGINT NOT NULL,
                time DOUBLE PRECISION NOT NULL,
                status TEXT NOT NULL,
                openRequests BIGINT NOT NULL,
                messagesInFlight BIGINT NOT NULL,
                snapshot TEXT NOT NULL,
                label TEXT,
                parts TEXT,
                PRIMARY KEY (instance, ordinal)
            );
            CREATE UNIQUE INDEX checkpoint_label ON checkpoint(instance, label) WHERE label IS NOT NULL;
            CREATE TABLE checkpointPart (
                instance TEXT NOT NULL,
                origin TEXT NOT NULL,
                kind TEXT NOT NULL,
                name TEXT NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY (instance, origin, kind, name)
            );
            CREATE TABLE event (
                instance TEXT NOT NULL,
                seq BIGINT NOT NULL,
                time DOUBLE PRECISION NOT NULL,
                runId TEXT,
                type TEXT NOT NULL,
                body TEXT NOT NULL,
                PRIMARY KEY (instance, seq)
            );
            CREATE TABLE run (
                rowid BIGINT GENERATED ALWAYS AS IDENTITY,
                id TEXT PRIMARY KEY,
                instance TEXT NOT NULL,
                status TEXT NOT NULL,
                trigger TEXT NOT NULL,
                input TEXT NOT NULL,
                outputs TEXT NOT NULL DEFAULT '[]',
                error TEXT,
                startedAt DOUBLE PRECISION NOT NULL,
                endedAt DOUBLE PRECISION,
                supersteps BIGINT,
                idempotencyKey TEXT
            );
            CREATE INDEX run_by_instance ON run(instance, startedAt);
            CREATE INDEX run_by_status ON run(status, rowid);
            CREATE TABLE inbox (
                instance TEXT NOT NULL,
                requestId TEXT COLLATE "C" NOT NULL,
                executor TEXT NOT NULL,
                response TEXT NOT NULL,
                runId TEXT,
                acceptedAt DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (instance, requestId)
            );
            CREATE TABLE idempotencyKey (
                instance TEXT NOT NULL,
                key TEXT NOT NULL,
                runId TEXT NOT NULL,
                createdAt DOUBLE PRECISION NOT NULL DEFAULT 0,
                PRIMARY KEY (instance, key)
            );
            CREATE INDEX idempotencyKey_by_age ON idempotencyKey(instance, createdAt);
            CREATE TABLE queuedRun (
                instance TEXT NOT NULL,
                position BIGINT NOT NULL,
                runId TEXT NOT NULL,
                input TEXT NOT NULL,
                idempotencyKey TEXT,
                PRIMARY KEY (instance, runId)
            );
            CREATE TABLE definitionVersion (
                hash TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                file TEXT NOT NULL,
                document TEXT NOT NULL,
                createdAt DOUBLE PRECISION NOT NULL
            );
            CREATE TABLE schedule (
                name TEXT COLLATE "C" PRIMARY KEY,
                ownerUID BIGINT NOT NULL,
                source TEXT NOT NULL,
                spec TEXT NOT NULL,
                paused BIGINT NOT NULL DEFAULT 0,
                nextFire DOUBLE PRECISION,
                lastFire TEXT,
                createdAt DOUBLE PRECISION NOT NULL
            );
            CREATE INDEX schedule_by_fire ON schedule(nextFire) WHERE nextFire IS NOT NULL;
            CREATE INDEX schedule_by_owner ON schedule(ownerUID, name);
            CREATE INDEX schedule_from_files ON schedule(name) WHERE source != 'api';
            """),
        ("v2: hosts and their heartbeats, one owner per instance under an epoch", """
            CREATE TABLE host (
                id TEXT COLLATE "C" PRIMARY KEY,
                startedAt BIGINT NOT NULL,
                heartbeatAt BIGINT NOT NULL
            );
            CREATE TABLE ownership (
                instance TEXT COLLATE "C" PRIMARY KEY REFERENCES instance(name) ON DELETE CASCADE,
                host TEXT COLLATE "C",
                epoch BIGINT NOT NULL
            );
            CREATE INDEX ownership_by_host ON ownership(host) WHERE host IS NOT NULL;
            """),
        ("v3: commands for instances owned by another host, and their answers", """
            CREATE TABLE command (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                host TEXT COLLATE "C" NOT NULL,
                origin TEXT COLLATE "C" NOT NULL,
                instance TEXT NOT NULL,
                method TEXT NOT NULL,
                params TEXT NOT NULL,
                uid BIGINT NOT NULL,
                gid BIGINT NOT NULL,
                pid BIGINT NOT NULL,
                hops BIGINT NOT NULL,
                createdAt BIGINT NOT NULL,
                pickedAt BIGINT,
                answer TEXT
            );
            CREATE INDEX command_waiting ON command(host, id) WHERE pickedAt IS NULL;
            CREATE INDEX command_by_age ON command(createdAt);
            """),
    ]

    /// Brings the database's schema up to date in one transaction. Hosts that start together
    /// take turns (an advisory lock held to the transaction's end); a database migrated by a
    /// newer workflowd is refused rather than written with an older idea of its tables.
    static func migrate(_ db: any SQLSession) throws {
        try db.transaction {
            try db.execute("SELECT pg_advisory_xact_lock(7406115726210393188)")
            try db.execute("""
                CREATE TABLE IF NOT EXISTS workflowd_migration (
                    version BIGINT PRIMARY KEY, name TEXT NOT NULL, appliedAt TIMESTAMPTZ NOT NULL DEFAULT now())
                """)
            let applied = Int(try db.integer("SELECT COALESCE(MAX(version), 0) FROM workflowd_migration") ?? 0)
            if applied > migrations.count {
                throw WorkflowError(.storeFailed, "the database's schema is version \(applied), newer than this workflowd knows (\(migrations.count)): upgrade workflowd")
            }
            for (index, migration) in migrations.enumerated().dropFirst(applied) {
                for statement in migration.sql.split(separator: ";") where !statement.allSatisfy(\.isWhitespace) {
                    try db.execute(String(statement))
                }
                try db.execute("INSERT INTO workflowd_migration (version, name) VALUES (?, ?)", [.integer(index + 1), .text(migration.name)])
            }
        }
    }
}

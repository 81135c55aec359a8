import Dispatch
import GRDB
import WorkflowConcurrency
import WorkflowJSON
import WorkflowEngine

/// The database's schema, version by version.
extension SQLiteStore {
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
        // Each instance's soonest armed wait, indexed only where there is one: the daemon reads
        // the few due soon, never every instance (a million stored timers cost no memory).
        migrator.registerMigration("v6: instances know their soonest wait") { db in
            try db.execute(sql: """
                ALTER TABLE instance ADD COLUMN nextWake REAL;
                CREATE INDEX instance_by_wake ON instance(nextWake) WHERE nextWake IS NOT NULL;
                """)
        }
        // Schedules (DESIGN.md §10): each row its declaration and the next fire not yet taken,
        // indexed only where there is one (a paused schedule has none), like instances' waits.
        // A run remembers the idempotency key it started with: a schedule's run finds its
        // schedule and time there. A paused instance says why and since when (`paused`, JSON).
        migrator.registerMigration("v7: schedules, runs keep their idempotency key, instances pause") { db in
            try db.execute(sql: """
                CREATE TABLE schedule (
                    name TEXT PRIMARY KEY NOT NULL,
                    ownerUID INTEGER NOT NULL,
                    source TEXT NOT NULL,
                    spec TEXT NOT NULL,
                    paused INTEGER NOT NULL DEFAULT 0,
                    nextFire REAL,
                    lastFire TEXT,
                    createdAt REAL NOT NULL
                );
                CREATE INDEX schedule_by_fire ON schedule(nextFire) WHERE nextFire IS NOT NULL;
                CREATE INDEX schedule_by_owner ON schedule(ownerUID, name);
                CREATE INDEX schedule_from_files ON schedule(name) WHERE source != 'api';
                ALTER TABLE run ADD COLUMN idempotencyKey TEXT;
                ALTER TABLE instance ADD COLUMN paused TEXT;
                CREATE INDEX instance_paused ON instance(name) WHERE paused IS NOT NULL;
                """)
        }
        // Events and checkpoints in rowid tables, their keys in indexes. A WITHOUT ROWID table is
        // an index b-tree: whole rows in its interior pages too, a fan-out of about fifteen for
        // events, and the rebalancing of an append touching several pages. A trivial run's
        // transaction wrote 5.2 pages of the event table and 4 of the checkpoint table (read from
        // the write-ahead log's frames); appended to a rowid table (its right edge only) with
        // small index entries it writes about one of each, plus one page of each key's index.
        migrator.registerMigration("v8: events and checkpoints in rowid tables") { db in
            try db.execute(sql: """
                CREATE TABLE newEvent (
                    instance TEXT NOT NULL REFERENCES instance(name) ON DELETE CASCADE,
                    seq INTEGER NOT NULL,
                    time REAL NOT NULL,
                    runId TEXT,
                    type TEXT NOT NULL,
                    body TEXT NOT NULL
                );
                INSERT INTO newEvent (instance, seq, time, runId, type, body)
                    SELECT instance, seq, time, runId, type, body FROM event ORDER BY instance, seq;
                DROP TABLE event;
                ALTER TABLE newEvent RENAME TO event;
                CREATE UNIQUE INDEX event_key ON event(instance, seq);
                CREATE TABLE newCheckpoint (
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
                    label TEXT,
                    parts TEXT
                );
                INSERT INTO newCheckpoint (instance, ordinal, id, parentId, hasChild, runId, reason, superstep, time, status, openRequests,
                                           messagesInFlight, snapshot, label, parts)
                    SELECT instance, ordinal, id, parentId, hasChild, runId, reason, superstep, time, status, openRequests,
                           messagesInFlight, snapshot, label, parts FROM checkpoint ORDER BY instance, ordinal;
                DROP TABLE checkpoint;
                ALTER TABLE newCheckpoint RENAME TO checkpoint;
                CREATE UNIQUE INDEX checkpoint_key ON checkpoint(instance, ordinal);
                CREATE UNIQUE INDEX checkpoint_label ON checkpoint(instance, label) WHERE label IS NOT NULL;
                """)
        }
        return migrator
    }
}

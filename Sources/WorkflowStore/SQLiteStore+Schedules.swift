import GRDB
import WorkflowEngine

/// Schedules: one row each, the next fire indexed where there is one, so the daemon reads the
/// few due soon and pages through the rest.
extension SQLiteStore {
    public func saveSchedule(_ schedule: StoredSchedule) async throws {
        try await database.write { db in
            try db.execute(sql: """
                INSERT INTO schedule (name, ownerUID, source, spec, paused, nextFire, lastFire, createdAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(name) DO UPDATE SET ownerUID = excluded.ownerUID, source = excluded.source, spec = excluded.spec,
                    paused = excluded.paused, nextFire = excluded.nextFire, lastFire = excluded.lastFire
                """, arguments: [schedule.name, Int64(schedule.ownerUID), schedule.source, schedule.spec.serialized(), schedule.paused,
                                 schedule.nextFire, schedule.lastFire?.serialized(), schedule.createdAt])
        }
    }

    public func schedule(named name: String) async throws -> StoredSchedule? {
        try await database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM schedule WHERE name = ?", arguments: [name]).map(Self.storedSchedule)
        }
    }

    public func schedules(after: String?, limit: Int, owner: UInt32?, source: String?) async throws -> [StoredSchedule] {
        try await database.read { db in
            var conditions = ["name > ?"]
            var arguments: StatementArguments = [after ?? ""]
            if let owner {
                conditions.append("ownerUID = ?")
                _ = arguments.append(contentsOf: [Int64(owner)])
            }
            if let source {
                conditions.append(source == "file" ? "source != 'api'" : "source = ?")
                if source != "file" { _ = arguments.append(contentsOf: [source]) }
            }
            _ = arguments.append(contentsOf: [limit])
            return try Row.fetchAll(db, sql: "SELECT * FROM schedule WHERE \(conditions.joined(separator: " AND ")) ORDER BY name LIMIT ?",
                                    arguments: arguments).map(Self.storedSchedule)
        }
    }

    public func deleteSchedule(named name: String) async throws -> Bool {
        try await database.write { db in
            try db.execute(sql: "DELETE FROM schedule WHERE name = ?", arguments: [name])
            return db.changesCount > 0
        }
    }

    public func recordScheduleFire(name: String, nextFire: Double?, lastFire: JSON?) async throws {
        try await database.write { db in
            // A pause that came meanwhile keeps the schedule without a next fire.
            try db.execute(sql: """
                UPDATE schedule SET nextFire = CASE WHEN paused = 1 THEN NULL ELSE ? END, lastFire = COALESCE(?, lastFire) WHERE name = ?
                """, arguments: [nextFire, lastFire?.serialized(), name])
        }
    }

    public func schedulesDue(through time: Double, limit: Int) async throws -> [(name: String, due: Double)] {
        try await database.read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT name, nextFire FROM schedule WHERE nextFire IS NOT NULL AND nextFire <= ? ORDER BY nextFire LIMIT ?
                """), arguments: [time, limit]).map { (name: $0["name"], due: $0["nextFire"]) }
        }
    }

    static func storedSchedule(_ row: Row) throws -> StoredSchedule {
        StoredSchedule(name: row["name"], ownerUID: UInt32(truncatingIfNeeded: row["ownerUID"] as Int64), source: row["source"],
                       spec: try JSON(parsing: row["spec"] as String), paused: row["paused"], nextFire: row["nextFire"],
                       lastFire: try (row["lastFire"] as String?).map { try JSON(parsing: $0) }, createdAt: row["createdAt"])
    }
}

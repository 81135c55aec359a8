import WorkflowJSON
import WorkflowEngine

/// Schedules: one row each, the next fire indexed where there is one, so the daemon reads the
/// few due soon and pages through the rest.
extension SQLStore {
    public func saveSchedule(_ schedule: StoredSchedule) async throws {
        try await transaction { db in
            try db.execute("""
                INSERT INTO schedule (name, ownerUID, source, spec, paused, nextFire, lastFire, createdAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET ownerUID = excluded.ownerUID, source = excluded.source, spec = excluded.spec,
                    paused = excluded.paused, nextFire = excluded.nextFire, lastFire = excluded.lastFire
                """, [.text(schedule.name), .integer(Int64(schedule.ownerUID)), .text(schedule.source), .text(schedule.spec.serialized()),
                      .flag(schedule.paused), .real(schedule.nextFire), .text(schedule.lastFire?.serialized()), .real(schedule.createdAt)])
        }
    }

    public func schedule(named name: String) async throws -> StoredSchedule? {
        try await read { db in try db.row("SELECT * FROM schedule WHERE name = ?", [.text(name)]).map(Self.storedSchedule) }
    }

    public func schedules(after: String?, limit: Int, owner: UInt32?, source: String?) async throws -> [StoredSchedule] {
        try await read { db in
            var conditions = ["name > ?"]
            var values: [SQLValue] = [.text(after ?? "")]
            if let owner {
                conditions.append("ownerUID = ?")
                values.append(.integer(Int64(owner)))
            }
            if let source {
                if source == "file" {
                    conditions.append("source != 'api'")
                } else {
                    conditions.append("source = ?")
                    values.append(.text(source))
                }
            }
            values.append(.integer(limit))
            return try db.rows("SELECT * FROM schedule WHERE \(conditions.joined(separator: " AND ")) ORDER BY name LIMIT ?", values)
                .map(Self.storedSchedule)
        }
    }

    public func deleteSchedule(named name: String) async throws -> Bool {
        try await transaction { db in try db.execute("DELETE FROM schedule WHERE name = ?", [.text(name)]) > 0 }
    }

    public func recordScheduleFire(name: String, nextFire: Double?, lastFire: JSON?) async throws {
        try await transaction { db in
            // A pause that came meanwhile keeps the schedule without a next fire.
            try db.execute("""
                UPDATE schedule SET nextFire = CASE WHEN paused = 1 THEN NULL ELSE CAST(?1 AS DOUBLE PRECISION) END, lastFire = COALESCE(?2, lastFire) WHERE name = ?3
                """, [.real(nextFire), .text(lastFire?.serialized()), .text(name)])
        }
    }

    public func schedulesDue(through time: Double, limit: Int) async throws -> [(name: String, due: Double)] {
        try await read { db in
            try db.rows("SELECT name, nextFire FROM schedule WHERE nextFire IS NOT NULL AND nextFire <= ? ORDER BY nextFire LIMIT ?",
                        [.real(time), .integer(limit)]).map { (name: try $0.text("name"), due: try $0.real("nextFire")) }
        }
    }

    static func storedSchedule(_ row: SQLRow) throws -> StoredSchedule {
        StoredSchedule(name: try row.text("name"), ownerUID: UInt32(truncatingIfNeeded: try row.integer("ownerUID")), source: try row.text("source"),
                       spec: try JSON(parsing: try row.text("spec")), paused: try row.bool("paused"), nextFire: try row.optionalReal("nextFire"),
                       lastFire: try row.optionalText("lastFire").map { try JSON(parsing: $0) }, createdAt: try row.real("createdAt"))
    }
}

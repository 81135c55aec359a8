import WorkflowConcurrency
import WorkflowEngine

/// One owner per instance when several hosts share the database (DESIGN.md §12). The tables
/// `host` (id, heartbeat) and `ownership` (instance, host, epoch) exist in PostgreSQL's schema;
/// a store without a host id (SQLite) is the only writer, owns everything, and never reads them.
///
/// Times are the database's (`clock_timestamp()`, in milliseconds), never a host's: hosts whose
/// clocks disagree still agree on who is dead.
extension SQLStore {
    public var hostID: String? { configuration.host }

    /// The database's clock in milliseconds, as SQL.
    private var now: String { "(extract(epoch FROM clock_timestamp()) * 1000)::BIGINT" }
    private var leaseMilliseconds: Int64 { Int64(configuration.lease * 1000) }

    public func claim(instance name: String) async throws -> InstanceClaim {
        guard let host = configuration.host else { return .owned(epoch: 0) }
        let claim = try await write { [now, leaseMilliseconds] db -> InstanceClaim in
            // A live host's ownership is left alone; a released one, a dead host's, or this
            // host's own (a restart under the same id) is taken, the epoch raised.
            let epoch = try db.integer("""
                INSERT INTO ownership (instance, host, epoch)
                SELECT ?1, ?2, 1 WHERE EXISTS (SELECT 1 FROM instance WHERE name = ?1)
                ON CONFLICT (instance) DO UPDATE SET host = excluded.host, epoch = ownership.epoch + 1
                WHERE ownership.host IS NULL OR ownership.host = excluded.host
                   OR NOT EXISTS (SELECT 1 FROM host WHERE host.id = ownership.host AND host.heartbeatAt > \(now) - ?3)
                RETURNING epoch
                """, [.text(name), .text(host), .integer(leaseMilliseconds)])
            if let epoch { return .owned(epoch: epoch) }
            if let owner = try db.text("SELECT host FROM ownership WHERE instance = ?", [.text(name)]) { return .ownedElsewhere(host: owner) }
            return .missing
        }
        if case .owned(let epoch) = claim { shared.epochs.withLock { $0[name] = epoch } }
        return claim
    }

    public func release(instance name: String) async throws {
        guard let host = configuration.host, let epoch = shared.epochs.withLock({ $0.removeValue(forKey: name) }) else { return }
        _ = try await write { db in
            try db.execute("UPDATE ownership SET host = NULL WHERE instance = ? AND host = ? AND epoch = ?",
                           [.text(name), .text(host), .integer(epoch)])
        }
    }

    public func heartbeat() async throws {
        guard let host = configuration.host else { return }
        _ = try await write { [now] db in
            try db.execute("""
                INSERT INTO host (id, startedAt, heartbeatAt) VALUES (?, \(now), \(now))
                ON CONFLICT (id) DO UPDATE SET heartbeatAt = excluded.heartbeatAt
                """, [.text(host)])
        }
    }

    public func freeDeadHostsInstances(limit: Int) async throws -> Int {
        guard let host = configuration.host else { return 0 }
        return try await write { [now, leaseMilliseconds] db in
            let freed = try db.execute("""
                UPDATE ownership SET host = NULL, epoch = epoch + 1 WHERE instance IN (
                    SELECT o.instance FROM ownership o
                    WHERE o.host IS NOT NULL AND o.host <> ?1
                      AND NOT EXISTS (SELECT 1 FROM host h WHERE h.id = o.host AND h.heartbeatAt > \(now) - ?2)
                    LIMIT ?3 FOR UPDATE SKIP LOCKED)
                """, [.text(host), .integer(leaseMilliseconds), .integer(Int64(limit))])
            // Hosts dead for a day that own nothing are forgotten: the table stays bounded.
            try db.execute("""
                DELETE FROM host h WHERE h.heartbeatAt < \(now) - 86400000
                  AND NOT EXISTS (SELECT 1 FROM ownership o WHERE o.host = h.id)
                """)
            return freed
        }
    }

    public func unownedNeedingRecovery(limit: Int) async throws -> [String] {
        guard let host = configuration.host else { return try await instancesNeedingRecovery() }
        return try await read { [now, leaseMilliseconds] db in
            try db.texts("""
                SELECT name FROM (
                    SELECT name FROM instance WHERE status = 'in_progress' AND paused IS NULL
                    UNION SELECT instance FROM queuedRun
                    UNION SELECT instance FROM inbox
                    EXCEPT SELECT name FROM instance WHERE paused IS NOT NULL) AS needing
                WHERE NOT EXISTS (SELECT 1 FROM ownership o JOIN host h ON h.id = o.host
                                  WHERE o.instance = needing.name AND o.host <> ?3 AND h.heartbeatAt > \(now) - ?1)
                ORDER BY 1 LIMIT ?2
                """, [.integer(leaseMilliseconds), .integer(Int64(limit)), .text(host)])
        }
    }

    public func hosts() async throws -> [HostRecord] {
        guard configuration.host != nil else { return [] }
        return try await read { [now, leaseMilliseconds] db in
            try db.rows("""
                SELECT h.id, \(now) - h.heartbeatAt AS age,
                       (SELECT COUNT(*) FROM ownership o WHERE o.host = h.id) AS instances
                FROM host h ORDER BY h.id
                """, []).map { row in
                let age = try row.integer("age")
                return HostRecord(id: try row.text("id"), heartbeatAge: Double(age) / 1000, alive: age < leaseMilliseconds,
                                  instances: Int(try row.integer("instances")))
            }
        }
    }

    public func owner(of name: String) async throws -> String? {
        guard configuration.host != nil else { return nil }
        return try await read { db in try db.text("SELECT host FROM ownership WHERE instance = ?", [.text(name)]) }
    }

    public func observeFencing(_ observer: @escaping @Sendable (String) -> Void) {
        shared.fenceObserver.withLock { $0 = observer }
    }

    public func leave() async throws {
        guard let host = configuration.host else { return }
        shared.epochs.withLock { $0.removeAll() }
        _ = try await write { db in
            try db.transaction {
                try db.execute("UPDATE ownership SET host = NULL WHERE host = ?", [.text(host)])
                try db.execute("DELETE FROM host WHERE id = ?", [.text(host)])
            }
        }
    }

    /// Inside a commit: the instance exists and, with several hosts, this host still owns it
    /// under the epoch it claimed. The ownership row is locked (`FOR SHARE`) to the commit's end,
    /// so a claim by another host waits for this commit and then recovers what it wrote, or went
    /// first and this commit is refused: never both.
    func checkOwnership(of instance: String, _ db: any SQLSession) throws {
        guard let host = configuration.host else {
            guard try db.exists("SELECT 1 FROM instance WHERE name = ?", [.text(instance)]) else {
                throw WorkflowError(.storeFailed, "the store has no instance '\(instance)'")
            }
            return
        }
        guard let row = try db.row("SELECT host, epoch FROM ownership WHERE instance = ? FOR SHARE", [.text(instance)]) else {
            throw WorkflowError(.storeFailed, "the store has no instance '\(instance)'")
        }
        let epoch = shared.epochs.withLock { $0[instance] }
        let owner = try row.optionalText("host")
        guard owner == host, let epoch, try row.integer("epoch") == epoch else {
            throw InstanceFenced(instance: instance, owner: owner)
        }
    }

    /// After a commit: instances refused to this host are forgotten and their observer told.
    func noticeFencing(_ outcomes: [(any Error & Sendable)?]) {
        for case let fenced as InstanceFenced in outcomes.compactMap({ $0 }) {
            shared.epochs.withLock { _ = $0.removeValue(forKey: fenced.instance) }
            shared.fenceObserver.withLock { $0 }?(fenced.instance)
        }
    }
}

import WorkflowConcurrency
import WorkflowJSON
import WorkflowEngine

/// Commands for instances owned by another host (DESIGN.md §12): the host a client asked stores
/// the request for the owner and waits for its answer; the owner takes it, applies it with the
/// client's rights, and stores the answer. NOTIFY on the channel `workflowd` wakes the other
/// side (payload: the host it is for, a tab, what happened); each side also polls, so a lost
/// notice costs a poll interval, never a command.
extension SQLStore {
    /// The channel hosts notify each other on.
    static var noticeChannel: String { "workflowd" }

    private var now: String { "(extract(epoch FROM clock_timestamp()) * 1000)::BIGINT" }

    public func sendCommand(to host: String, instance: String, method: String, params: JSON?, uid: UInt32, gid: UInt32, pid: Int32,
                            hops: Int) async throws -> Int64 {
        guard let origin = configuration.host else { throw WorkflowError(.storeFailed, "this store has one host: it sends no commands") }
        return try await transaction { [now] db in
            guard let id = try db.integer("""
                INSERT INTO command (host, origin, instance, method, params, uid, gid, pid, hops, createdAt)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, \(now)) RETURNING id
                """, [.text(host), .text(origin), .text(instance), .text(method), .text(params?.serialized() ?? ""), .integer(Int64(uid)),
                      .integer(Int64(gid)), .integer(Int64(pid)), .integer(Int64(hops))]) else {
                throw WorkflowError(.storeFailed, "the command was not stored")
            }
            try db.execute("SELECT pg_notify(?, ?)", [.text(Self.noticeChannel), .text(host + "\tcommands")])
            return id
        }
    }

    public func takeCommands(limit: Int) async throws -> [StoredCommand] {
        guard let host = configuration.host, limit > 0 else { return [] }
        return try await write { [now] db in
            try db.rows("""
                UPDATE command SET pickedAt = \(now) WHERE id IN (
                    SELECT id FROM command WHERE host = ? AND pickedAt IS NULL ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED)
                RETURNING id, origin, instance, method, params, uid, gid, pid, hops
                """, [.text(host), .integer(Int64(limit))]).map { row in
                let params = try row.text("params")
                return StoredCommand(id: try row.integer("id"), origin: try row.text("origin"), instance: try row.text("instance"),
                                     method: try row.text("method"), params: params.isEmpty ? nil : try JSONParser.parse(params),
                                     uid: UInt32(truncatingIfNeeded: try row.integer("uid")), gid: UInt32(truncatingIfNeeded: try row.integer("gid")),
                                     pid: Int32(truncatingIfNeeded: try row.integer("pid")), hops: Int(try row.integer("hops")))
            }.sorted { $0.id < $1.id }
        }
    }

    public func answerCommand(_ command: StoredCommand, answer: JSON) async throws {
        try await transaction { db in
            try db.execute("UPDATE command SET answer = ? WHERE id = ?", [.text(answer.serialized()), .integer(command.id)])
            try db.execute("SELECT pg_notify(?, ?)", [.text(Self.noticeChannel), .text(command.origin + "\tanswer\t\(command.id)")])
        }
    }

    public func commandAnswer(_ id: Int64) async throws -> JSON? {
        // Each read is a new snapshot: an answer committed before the notice that announced it is seen.
        try await read { db in try db.text("SELECT answer FROM command WHERE id = ?", [.integer(id)]) }.map { try JSONParser.parse($0) }
    }

    public func withdrawCommand(_ id: Int64) async throws -> Bool {
        try await write { db in try db.execute("DELETE FROM command WHERE id = ? AND answer IS NULL", [.integer(id)]) > 0 }
    }

    public func forgetCommand(_ id: Int64) async throws {
        try await write { db in _ = try db.execute("DELETE FROM command WHERE id = ?", [.integer(id)]) }
    }

    public func forgetCommands(olderThan seconds: Double) async throws -> Int {
        guard configuration.host != nil else { return 0 }
        return try await write { [now] db in
            try db.execute("DELETE FROM command WHERE createdAt < \(now) - ?", [.integer(Int64(seconds * 1000))])
        }
    }

    public func isAlive(host: String) async throws -> Bool {
        guard configuration.host != nil else { return false }
        let lease = Int64(configuration.lease * 1000)
        return try await read { [now] db in
            try db.exists("SELECT 1 FROM host WHERE id = ? AND heartbeatAt > \(now) - ?", [.text(host), .integer(lease)])
        }
    }

    /// How long a watch lasts unless renewed (a log tail renews it every ``watchRenewal``).
    public static var watchLifetime: Duration { .seconds(30) }
    /// How often a log tail renews its watch.
    public static var watchRenewal: Duration { .seconds(10) }

    /// Tells every host that this one reads instance `name`'s log for a subscriber: whichever
    /// owns it announces its new events (for ``watchLifetime``).
    public func watch(instance name: String) async throws {
        guard configuration.host != nil else { return }
        _ = try await write { db in
            try db.execute("SELECT pg_notify(?, ?)", [.text(Self.noticeChannel), .text("*\twatch\t" + name)])
        }
    }

    /// Another host reads instance `name`'s log: its commits here announce new events for a while.
    public func noteWatched(instance name: String) {
        let now = ContinuousClock.now
        shared.watched.withLock { watched in
            if watched.count >= 10_000 {
                watched = watched.filter { $0.value > now }
                if watched.count >= 10_000 { watched.removeAll() }
            }
            watched[name] = now + Self.watchLifetime
        }
    }

    /// Inside a commit that wrote events of `instances` (several hosts only): those another host
    /// reads for a subscriber are announced to every host when the commit ends, so that the
    /// reader reads on at once. Others cost nothing (a NOTIFY is work for the server at commit).
    func announceEvents(of instances: Set<String>, _ db: any SQLSession) throws {
        guard configuration.host != nil, !instances.isEmpty else { return }
        let now = ContinuousClock.now
        let watched = shared.watched.withLock { watched in instances.filter { (watched[$0] ?? now) > now } }
        for instance in watched.sorted() {
            try db.enqueue("SELECT pg_notify(?, ?)", [.text(Self.noticeChannel), .text("*\tevents\t" + instance)])
        }
    }

    /// Hears nothing: one host has no one to hear from (``PostgresStore`` listens).
    public func listen(_ handler: @escaping @Sendable (StoreNotice) -> Void) async {}

    /// A notice's payload for `host`, read; nil if it is for another host or not understood.
    static func notice(_ payload: String, for host: String) -> StoreNotice? {
        let parts = payload.split(separator: "\t", omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0] == host || parts[0] == "*" else { return nil }
        switch parts[1] {
        case "commands": return .commands
        case "answer": return parts.count == 3 ? Int64(parts[2]).map { .answer($0) } : nil
        case "events": return parts.count == 3 && !parts[2].isEmpty ? .events(String(parts[2])) : nil
        case "watch": return parts.count == 3 && !parts[2].isEmpty ? .watch(String(parts[2])) : nil
        default: return nil
        }
    }
}

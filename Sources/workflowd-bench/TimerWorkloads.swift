#if canImport(Glibc)
import Glibc
#endif
import Foundation
import GRDB
import WorkflowClient
import WorkflowJSON

/// `timers10k`: 10,000 instances each arm a wait for a time of day, the times spread over ten
/// seconds; the daemon's timer service fires them all. The samples are each fire's lateness
/// (`timer_fired.lateByMs`, as the daemon measured it from the wait's time), in µs; the target
/// is a median of at most 5 ms and a p99 of at most 50 ms (DESIGN §8).
enum TimerWorkloads {
    static let hold = """
        name: hold
        start: hold
        executors:
          hold: { kind: wait, until: message.at }
          out: { kind: output }
        edges:
          - { from: hold, to: out }
        """

    /// `arguments` go to the daemon (`timers10k_loaded` keeps every instance in memory, to tell
    /// the timer service's cost from the cost of loading evicted instances).
    static func timers10k(arguments: [String] = []) throws -> Report {
        let count = 10_000
        let spread = 10.0
        let daemon = try SocketWorkloads.Daemon(arguments: arguments, extraDefinitions: ["hold.yaml": hold])
        defer { daemon.stop() }
        let client = try BlockingConnection(path: daemon.socket, timeout: .seconds(120))
        // Instances first (what arming costs is about what creating costs): the margin before
        // the first wait is due is twice that, so every wait is armed before its time.
        let created = nowMicros()
        try pipelined(client, count) { n in ("instance.create", ["name": .string("t-\(n)"), "definition": "hold"]) }
        let createSeconds = (nowMicros() - created) / 1_000_000
        let first = Date().timeIntervalSince1970 + 2 * createSeconds + 2
        let armed = nowMicros()
        try pipelined(client, count) { n in
            let at = first + spread * Double(n) / Double(count)
            return ("run.start", ["instance": .string("t-\(n)"), "input": ["at": .string(Self.rfc3339(at))]])
        }
        let armSeconds = (nowMicros() - armed) / 1_000_000
        let rssArmed = MillionInstances.residentKiB(daemon.process.processIdentifier)
        // Every fire is in the event log once it is committed: count them there.
        let database = try DatabaseQueue(path: daemon.directory + "/state/workflowd.sqlite", configuration: {
            var configuration = Configuration()
            configuration.readonly = true
            return configuration
        }())
        let deadline = first + spread + 60
        var fired = 0
        while fired < count {
            guard Date().timeIntervalSince1970 < deadline else {
                throw BenchFailure(description: "timers10k: \(fired) of \(count) waits fired within 60 s of the last one's time")
            }
            usleep(250_000)
            fired = try database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM event WHERE type = 'timer_fired'") ?? 0 }
        }
        let lateness = try database.read { db in
            try Double.fetchAll(db, sql: "SELECT json_extract(body, '$.lateByMs') FROM event WHERE type = 'timer_fired'")
        }
        let rssFired = MillionInstances.residentKiB(daemon.process.processIdentifier)
        // The median lateness of each second's fires, in order: a backlog shows as a hump.
        let rows = try database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT CAST(json_extract(body, '$.lateByMs') AS REAL) AS late, json_extract(body, '$.scheduledFor') AS due
                FROM event WHERE type = 'timer_fired' ORDER BY due
                """)
        }
        var seconds: [[Double]] = []
        var current: String?
        for row in rows {
            let due: String = row["due"]
            let second = String(due.prefix(19))
            if second != current {
                seconds.append([])
                current = second
            }
            seconds[seconds.count - 1].append(row["late"])
        }
        let bySecond = seconds.map { values in format(values.sorted()[values.count / 2]) }.joined(separator: ",")
        let sorted = lateness.sorted()
        let p99 = sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))]
        return Report(unit: "fire_lateness", samples: lateness.map { $0 * 1000 },
                      extra: [("timers", "\(count)"), ("spread_s", format(spread)), ("p99_ms", format(p99)),
                              ("arm_s", format(armSeconds)), ("median_ms_by_second", bySecond), ("rss_armed_mib", format(rssArmed / 1024)),
                              ("rss_fired_mib", format(rssFired / 1024))])
    }

    /// Sends `count` requests in batches of 100 lines and reads their answers, failing on an error.
    static func pipelined(_ client: BlockingConnection, _ count: Int, _ request: (Int) -> (String, JSON)) throws {
        var start = 0
        while start < count {
            let batch = (start..<min(count, start + 100)).map { n in
                let (method, params) = request(n)
                return client.request(method, params).message
            }
            try client.send(batch)
            for _ in batch {
                let answer = try client.readMessage()
                if let error = answer["error"] { throw BenchFailure(description: "timers: \(error.serialized())") }
            }
            start += batch.count
        }
    }

    static func rfc3339(_ time: Double) -> String {
        let date = Date(timeIntervalSince1970: time)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}

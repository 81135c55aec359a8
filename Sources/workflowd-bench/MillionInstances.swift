#if canImport(Glibc)
import Glibc
#endif
import Foundation
import WorkflowClient
import GRDB
import WorkflowEngine
import WorkflowStore

/// `instances1m_store`: a state directory holding 1,000,000 instances. The daemon, socket
/// activated on it, answers its first request (median of 3 cold starts); then clients touch
/// 10,000 random instances (`instance.get`, and every tenth a run to its end) while its RSS is
/// sampled: start-up and memory must not grow with what is stored.
///
/// `timers1m_store` is the same with a wait armed on every instance (a month ahead, each a
/// millisecond after the one before) and 1,000,000 schedules (every 30 days, their next fires a
/// month ahead): stored timers and schedules must not grow the daemon either.
enum MillionInstances {
    static func run(waits: Bool) throws -> Report {
        let count = 1_000_000
        let prepared = try SocketWorkloads.Daemon(extraDefinitions: ["month.yaml": """
            name: month
            start: hold
            executors:
              hold: { kind: wait, for: 30d }
              out: { kind: output }
            edges:
              - { from: hold, to: out }
            """])
        let client = try BlockingConnection(path: prepared.socket)
        if waits {
            let run = try client.call("run.start", ["instance": "seed", "definition": "month", "input": 0, "wait": true])
            guard run["status"] == "waiting" else { throw BenchFailure(description: "timers1m_store: the seed run ended \(run.serialized())") }
            _ = try client.call("schedule.create", ["name": "seed", "instance": "seed", "every": "30d"])
        } else {
            _ = try client.call("instance.create", ["name": "seed", "definition": "echo"])
        }
        let directory = prepared.directory
        prepared.stop()
        // The other 999,999 rows are copies of the seed's (same definition version), in one transaction.
        let created = nowMicros()
        let database = try DatabaseQueue(path: directory + "/state/workflowd.sqlite")
        try database.write { db in
            try db.execute(sql: """
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
                INSERT INTO instance (name, definition, definitionHash, ownerUID, onBusy, status, head, createdAt, nextWake)
                SELECT printf('inst-%07d', i), definition, definitionHash, ownerUID, onBusy, status, head, createdAt, nextWake + i / 1000.0
                FROM n, instance WHERE instance.name = 'seed'
                """, arguments: [count - 1])
            if waits {
                try db.execute(sql: """
                    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
                    INSERT INTO schedule (name, ownerUID, source, spec, paused, nextFire, lastFire, createdAt)
                    SELECT printf('sched-%07d', i), ownerUID, source, json_set(spec, '$.name', printf('sched-%07d', i)), paused,
                           strftime('%s', 'now') + 2592000 + i / 1000.0, lastFire, createdAt
                    FROM n, schedule WHERE schedule.name = 'seed'
                    """, arguments: [count - 1])
            }
        }
        _ = try database.writeWithoutTransaction { try $0.checkpoint(.truncate) }
        try database.close()
        let createSeconds = (nowMicros() - created) / 1_000_000
        let size = (try? FileManager.default.attributesOfItem(atPath: directory + "/state/workflowd.sqlite")[.size] as? Int) ?? 0

        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("workflowd").path
        var samples: [Double] = []
        var rssPeak = 0.0, rssAfterStart = 0.0, touchRate = 0.0
        for round in 0..<3 {
            let socket = directory + "/m-\(round).sock"
            let pid = try SocketWorkloads.spawn(["/usr/bin/systemd-socket-activate", "-l", socket, "--fdname=jsonrpc", binary,
                                                 "--state-dir", directory + "/state", "--definitions", directory + "/definitions",
                                                 "--log-level", "warning"])
            var waited = 0
            while access(socket, F_OK) != 0 {
                usleep(1000)
                waited += 1
                if waited > 10_000 { throw BenchFailure(description: "systemd-socket-activate did not listen on \(socket)") }
            }
            let start = nowMicros()
            let first = try BlockingConnection(path: socket)
            _ = try first.call("daemon.ping", [:])
            samples.append(nowMicros() - start)
            if round == 2 {
                rssAfterStart = residentKiB(pid)
                var random = SystemRandomNumberGenerator()
                let touched = nowMicros()
                for n in 0..<10_000 {
                    let name = JSON.string(String(format: "inst-%07d", Int.random(in: 1..<count, using: &random)))
                    let info = try first.call("instance.get", ["instance": name])
                    guard info["name"] == name else { throw BenchFailure(description: "instance.get \(name): \(info.serialized())") }
                    if n % 10 == 0 { _ = try first.call("run.start", ["instance": name, "input": .number(Double(n)), "wait": true]) }
                    if n % 500 == 0 { rssPeak = max(rssPeak, residentKiB(pid)) }
                }
                touchRate = 10_000 / ((nowMicros() - touched) / 1_000_000)
                rssPeak = max(rssPeak, residentKiB(pid))
            }
            kill(pid, SIGTERM)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
        try? FileManager.default.removeItem(atPath: directory)
        return Report(unit: "start", samples: samples,
                      extra: [("instances", "\(count)"), ("waits", waits ? "\(count)" : "0"), ("schedules", waits ? "\(count)" : "0"), ("create_s", format(createSeconds)), ("db_mib", format(Double(size) / 1_048_576)),
                              ("rss_after_start_mib", format(rssAfterStart / 1024)), ("rss_peak_touching_10k_mib", format(rssPeak / 1024)),
                              ("touches_per_s", format(touchRate))])
    }

    static func residentKiB(_ pid: pid_t) -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        return fields.count > 1 ? (Double(fields[1]) ?? 0) * Double(sysconf(Int32(_SC_PAGESIZE))) / 1024 : 0
    }
}

#if canImport(Glibc)
import Glibc
#endif
import Foundation
import GRDB
import WorkflowClient
import WorkflowJSON

/// What this machine allows for the work of one durable request, measured in the same run as the
/// daemon (`floor`, and beside `run_latency`): a round trip over a Unix socket between two
/// processes (a line out, a line back: two wake-ups), and one WAL commit of a checkpoint-sized
/// row with three event rows at the daemon's durability (`synchronous = NORMAL`). A request that
/// needs one commit cannot be answered faster than their sum.
enum Floor {
    struct Measurement {
        var roundTrip: Double
        var commit: Double
        var total: Double { roundTrip + commit }
    }

    static func measure() throws -> Measurement {
        Measurement(roundTrip: try roundTrip(), commit: try commit())
    }

    static func run() throws -> Report {
        var samples: [Double] = []
        var last = Measurement(roundTrip: 0, commit: 0)
        for _ in 0..<5 {
            last = try measure()
            samples.append(last.total)
        }
        return Report(unit: "request", samples: samples,
                      extra: [("round_trip_us", format(last.roundTrip)), ("commit_us", format(last.commit))])
    }

    /// The median of 5,000 round trips with a child process (this binary, `--echo PATH`) that
    /// answers each line with itself.
    static func roundTrip() throws -> Double {
        let directory = NSTemporaryDirectory() + "wffloor-" + String(UInt64.random(in: 0..<UInt64.max), radix: 36)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/echo.sock"
        let pid = try SocketWorkloads.spawn([CommandLine.arguments[0], "--echo", path])
        defer {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
        var client: BlockingConnection?
        for _ in 0..<1000 {
            client = try? BlockingConnection(path: path)
            if client != nil { break }
            usleep(5_000)
        }
        guard let client else { throw BenchFailure(description: "the echo process did not listen") }
        let line: JSON = ["jsonrpc": "2.0", "id": 1, "result": ["runId": "r0000000000000000", "status": "idle", "outputs": [1]]]
        var times: [Double] = []
        for n in 0..<5_500 {
            let start = nowMicros()
            try client.send([line])
            _ = try client.readMessage()
            if n >= 500 { times.append(nowMicros() - start) }
        }
        return SocketWorkloads.percentile(times, 0.5)
    }

    /// The median of 2,000 commits, each a transaction with a 2 KiB row and three small ones.
    static func commit() throws -> Double {
        let directory = NSTemporaryDirectory() + "wffloor-" + String(UInt64.random(in: 0..<UInt64.max), radix: 36)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        let database = try DatabaseQueue(path: directory + "/floor.sqlite", configuration: configuration)
        try database.writeWithoutTransaction { db in
            try db.execute(sql: "CREATE TABLE checkpoint (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
            try db.execute(sql: "CREATE TABLE event (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        }
        let body = String(repeating: "x", count: 2048)
        let event = String(repeating: "e", count: 120)
        var times: [Double] = []
        try database.writeWithoutTransaction { db in
            let begin = try db.makeStatement(sql: "BEGIN IMMEDIATE")
            let commit = try db.makeStatement(sql: "COMMIT")
            let checkpoint = try db.makeStatement(sql: "INSERT INTO checkpoint (body) VALUES (?)")
            let events = try db.makeStatement(sql: "INSERT INTO event (body) VALUES (?)")
            for n in 0..<2_200 {
                let start = nowMicros()
                try begin.execute()
                try checkpoint.execute(arguments: [body])
                for _ in 0..<3 { try events.execute(arguments: [event]) }
                try commit.execute()
                if n >= 200 { times.append(nowMicros() - start) }
            }
        }
        return SocketWorkloads.percentile(times, 0.5)
    }

    /// `workflowd-bench --echo PATH`: listens on PATH and answers each line with itself, one
    /// connection at a time, until killed.
    static func echo(_ path: String) -> Never {
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() where index < raw.count - 1 { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(listener, 4) == 0 else { exit(3) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            while true {
                let count = buffer.withUnsafeMutableBytes { read(connection, $0.baseAddress, $0.count) }
                guard count > 0 else { break }
                var written = 0
                while written < count {
                    let done = buffer.withUnsafeBytes { write(connection, $0.baseAddress! + written, count - written) }
                    guard done > 0 else { break }
                    written += done
                }
            }
            close(connection)
        }
    }
}

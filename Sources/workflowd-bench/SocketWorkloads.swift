import Foundation
import WorkflowConcurrency
import WorkflowClient
import WorkflowJSON

/// The socket workloads: the real `workflowd` (built beside this binary) on a temporary socket
/// and state directory, driven by blocking clients on threads of their own.
enum SocketWorkloads {
    static let definitions: [String: String] = [
        "echo.yaml": "name: echo\nstart: out\nexecutors:\n  out: { kind: output }\n",
        "pingpong.yaml": """
            name: pingpong
            start: ask
            maxSupersteps: 1000000
            executors:
              ask: { kind: request, prompt: "a number?", schema: { type: number } }
              strip: { kind: transform, expression: "message.response" }
            edges:
              - { from: ask, to: strip }
              - { from: strip, to: ask }
            """,
    ]

    /// A daemon of our own, stopped (SIGTERM) when done; a benchmark that is given up kills every
    /// daemon still running (``killAll()``).
    final class Daemon {
        private static let running = Locked<[Int32: Process]>([:])
        let directory: String
        let process = Process()
        var socket: String { directory + "/wd.sock" }

        init(arguments: [String] = [], extraDefinitions: [String: String] = [:]) throws {
            directory = NSTemporaryDirectory() + "wfbench-" + String(UInt64.random(in: 0..<UInt64.max), radix: 36)
            try FileManager.default.createDirectory(atPath: directory + "/definitions", withIntermediateDirectories: true)
            for (name, text) in SocketWorkloads.definitions.merging(extraDefinitions, uniquingKeysWith: { $1 }) {
                try text.write(toFile: directory + "/definitions/" + name, atomically: true, encoding: .utf8)
            }
            let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("workflowd").path
            guard FileManager.default.isExecutableFile(atPath: binary) else {
                throw BenchFailure(description: "\(binary) is not built: run `swift build -c release --static-swift-stdlib --product workflowd` first")
            }
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["--socket", socket, "--state-dir", directory + "/state", "--definitions", directory + "/definitions",
                                 "--log-level", "warning"] + arguments
            process.standardError = FileHandle.nullDevice
            try process.run()
            let pid = process.processIdentifier
            Self.running.withLock { $0[pid] = process }
            // Ready when the socket answers.
            for _ in 0..<1000 {
                if let client = try? BlockingConnection(path: socket), (try? client.call("daemon.ping", [:])) != nil { return }
                usleep(10_000)
            }
            throw BenchFailure(description: "workflowd did not answer within 10 s")
        }

        /// What does not depend on the machine's noise: the daemon's context switches (voluntary
        /// and involuntary, all its threads), its read and write system calls so far, and the CPU
        /// time it used (user and system, every thread including those that ended; the kernel
        /// counts it in clock ticks, so it is read over many operations).
        struct Counters {
            var contextSwitches = 0.0
            var readCalls = 0.0
            var writeCalls = 0.0
            var cpuMicros = 0.0

            static func + (lhs: Counters, rhs: Counters) -> Counters {
                Counters(contextSwitches: lhs.contextSwitches + rhs.contextSwitches, readCalls: lhs.readCalls + rhs.readCalls,
                         writeCalls: lhs.writeCalls + rhs.writeCalls, cpuMicros: lhs.cpuMicros + rhs.cpuMicros)
            }

            static func - (lhs: Counters, rhs: Counters) -> Counters {
                Counters(contextSwitches: lhs.contextSwitches - rhs.contextSwitches, readCalls: lhs.readCalls - rhs.readCalls,
                         writeCalls: lhs.writeCalls - rhs.writeCalls, cpuMicros: lhs.cpuMicros - rhs.cpuMicros)
            }

            /// The figures per operation, for a report's extra fields.
            func per(_ operations: Int, _ unit: String) -> [(String, String)] {
                let count = Double(max(1, operations))
                return [("ctxsw_per_\(unit)", format(contextSwitches / count)), ("syscalls_per_\(unit)", format((readCalls + writeCalls) / count)),
                        ("reads_per_\(unit)", format(readCalls / count)), ("writes_per_\(unit)", format(writeCalls / count)),
                        ("daemon_cpu_us_per_\(unit)", format(cpuMicros / count))]
            }
        }

        var counters: Counters {
            let pid = process.processIdentifier
            var counters = Counters()
            for task in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? [] {
                guard let status = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/status", encoding: .utf8) else { continue }
                for line in status.split(separator: "\n") where line.hasPrefix("voluntary_ctxt_switches") || line.hasPrefix("nonvoluntary_ctxt_switches") {
                    counters.contextSwitches += Double(line.split(separator: "\t").last.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? "") ?? 0
                }
            }
            // proc(5): utime and stime are the 14th and 15th fields, after the command in parentheses.
            if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") {
                let fields = stat[stat.index(after: close)...].split(separator: " ")
                if fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) {
                    counters.cpuMicros = (user + system) * 1_000_000 / Double(sysconf(Int32(_SC_CLK_TCK)))
                }
            }
            if let io = try? String(contentsOfFile: "/proc/\(pid)/io", encoding: .utf8) {
                for line in io.split(separator: "\n") {
                    let parts = line.split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) }
                    guard parts.count == 2, let value = Double(parts[1]) else { continue }
                    if parts[0] == "syscr" { counters.readCalls = value }
                    if parts[0] == "syscw" { counters.writeCalls = value }
                }
            }
            return counters
        }

        /// Transactions the daemon's store has written (daemon.status).
        func transactions(_ client: BlockingConnection) throws -> Double {
            Double(try client.call("daemon.status", [:])["storeTransactions"]?.intValue ?? 0)
        }

        /// The daemon's resident set, in KiB.
        var residentKiB: Double {
            guard let text = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/statm", encoding: .utf8) else { return 0 }
            let fields = text.split(separator: " ")
            return fields.count > 1 ? (Double(fields[1]) ?? 0) * Double(sysconf(Int32(_SC_PAGESIZE))) / 1024 : 0
        }

        /// Stops the daemon (SIGTERM) and waits for it, at most 60 s (then SIGKILL); the
        /// directory stays until deinit.
        func stop() {
            defer { _ = Self.running.withLock { $0.removeValue(forKey: process.processIdentifier) } }
            guard process.isRunning else { return }
            process.terminate()
            let deadline = nowMicros() + 60_000_000
            while process.isRunning && nowMicros() < deadline { usleep(10_000) }
            if process.isRunning {
                FileHandle.standardError.write(Data("workflowd-bench: workflowd (pid \(process.processIdentifier)) did not stop within 60 s of SIGTERM; killed\n".utf8))
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }

        /// Kills the daemon at once (SIGKILL), as a crash would.
        func crash() {
            _ = Self.running.withLock { $0.removeValue(forKey: process.processIdentifier) }
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }

        /// Kills every daemon a workload started (the benchmark gives up).
        static func killAll() {
            for (pid, _) in running.withLock({ $0 }) { kill(pid, SIGKILL) }
        }

        deinit {
            stop()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    /// Runs a blocking workload on a thread of its own (never on the cooperative pool).
    static func offPool(_ body: @escaping @Sendable () throws -> Report) async throws -> Report {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
            }
            thread.start()
        }
    }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
    }

    /// `run.start` with `wait: true` on a one-executor definition, start to result.
    static func runLatency(daemonArguments: [String] = []) throws -> Report {
        // The machine's limit for the same work, measured in the same run.
        let floor = try Floor.measure()
        let daemon = try Daemon(arguments: daemonArguments)
        let client = try BlockingConnection(path: daemon.socket)
        _ = try client.call("instance.create", ["name": "lat", "definition": "echo"])
        for n in 0..<50 { _ = try client.call("run.start", ["instance": "lat", "input": .number(Double(n)), "wait": true]) }
        var samples: [Double] = []
        var all: [Double] = []
        let transactionsBefore = try daemon.transactions(client)
        let before = daemon.counters
        for _ in 0..<7 {
            var times: [Double] = []
            for n in 0..<200 {
                let start = nowMicros()
                let result = try client.call("run.start", ["instance": "lat", "input": .number(Double(n)), "wait": true])
                times.append(nowMicros() - start)
                precondition(result["outputs"] == [.number(Double(n))], "run_latency: \(result.serialized())")
            }
            samples.append(percentile(times, 0.5))
            all += times
        }
        let used = daemon.counters - before
        let commits = (try daemon.transactions(client) - transactionsBefore) / Double(all.count)
        let median = percentile(samples, 0.5)
        return Report(unit: "run", samples: samples,
                      extra: [("p99_us", format(percentile(all, 0.99))), ("floor_us", format(floor.total)),
                              ("floor_ratio", format(median / floor.total)), ("commits_per_run", format(commits))]
                          + used.per(all.count, "run"))
    }

    /// `run_latency_traced_ratio`: tracing's cost measured against itself at the same time. Two
    /// daemons, one untraced and one exporting to a sink, take trivial runs in alternating
    /// batches of 20, ten batches each; a repetition's figure is the ratio of the traced daemon's
    /// median to the untraced one's. This virtual machine's speed drifts by ±20 % within minutes,
    /// far more than the cost measured: separate runs of `run_latency` and `run_latency_traced`
    /// compare two moments as much as two daemons. And one pair of processes is not every pair:
    /// the same binaries gave 101 % in one pair and 116 % in the next, each steady within itself
    /// (where the threads landed, the memory layout), so every repetition starts a new pair.
    static func runLatencyTracedRatio(sinkPort: Int, repetitions: Int = 9) throws -> Report {
        var ratios: [Double] = []
        var times: [[Double]] = [[], []]
        var used = (Daemon.Counters(), Daemon.Counters())
        var total = 0
        for repetition in 0..<repetitions {
            // Which daemon starts first, and takes the first batch, alternates.
            let tracedFirst = repetition % 2 == 1
            let early = try Daemon(arguments: tracedFirst ? ["--otlp-endpoint", "http://127.0.0.1:\(sinkPort)"] : [])
            let late = try Daemon(arguments: tracedFirst ? [] : ["--otlp-endpoint", "http://127.0.0.1:\(sinkPort)"])
            let (plain, traced) = tracedFirst ? (late, early) : (early, late)
            defer {
                plain.stop()
                traced.stop()
            }
            let clients = [try BlockingConnection(path: plain.socket), try BlockingConnection(path: traced.socket)]
            for client in clients {
                _ = try client.call("instance.create", ["name": "lat", "definition": "echo"])
                for n in 0..<50 { _ = try client.call("run.start", ["instance": "lat", "input": .number(Double(n)), "wait": true]) }
            }
            let before = (plain.counters, traced.counters)
            var repetition: [[Double]] = [[], []]
            for batch in 0..<20 {
                let side = (batch + (tracedFirst ? 1 : 0)) % 2
                for n in 0..<20 {
                    let start = nowMicros()
                    _ = try clients[side].call("run.start", ["instance": "lat", "input": .number(Double(n)), "wait": true])
                    repetition[side].append(nowMicros() - start)
                }
            }
            used = (used.0 + (plain.counters - before.0), used.1 + (traced.counters - before.1))
            ratios.append(percentile(repetition[1], 0.5) / percentile(repetition[0], 0.5))
            times[0] += repetition[0]
            times[1] += repetition[1]
            total += repetition[0].count
        }
        return Report(unit: "percent_of_untraced", samples: ratios.map { $0 * 100 },
                      extra: [("untraced_median_us", format(percentile(times[0], 0.5))), ("traced_median_us", format(percentile(times[1], 0.5))),
                              ("untraced_cpu_us_per_run", format(used.0.cpuMicros / Double(total))),
                              ("traced_cpu_us_per_run", format(used.1.cpuMicros / Double(total))),
                              ("traced_ctxsw_per_run", format(used.1.contextSwitches / Double(total))),
                              ("untraced_ctxsw_per_run", format(used.0.contextSwitches / Double(total)))])
    }

    /// `run_latency` with `clients` clients at once, each on an instance of its own, for
    /// `seconds`: the median and p99 of all runs, their ratio, and fairness (the fewest runs a
    /// client got through, over the most: 1 when nobody starves).
    static func runLatencyConcurrent(clients: Int, seconds: Double = 5) throws -> Report {
        let daemon = try Daemon(arguments: ["--max-connections-per-uid", "\(clients + 16)"])
        let socket = daemon.socket
        let results = ThreadResults.measure(threads: clients) { index, start in
            let client = try BlockingConnection(path: socket)
            let name = JSON.string("lat-\(index)")
            _ = try client.call("instance.create", ["name": name, "definition": "echo"])
            for n in 0..<20 { _ = try client.call("run.start", ["instance": name, "input": .number(Double(n)), "wait": true]) }
            start()
            var times: [Double] = []
            let end = nowMicros() + seconds * 1_000_000
            var n = 0
            while nowMicros() < end {
                let began = nowMicros()
                _ = try client.call("run.start", ["instance": name, "input": .number(Double(n)), "wait": true])
                times.append(nowMicros() - began)
                n += 1
            }
            return times
        }
        if let failure = results.failure { throw BenchFailure(description: "run_latency_\(clients): \(failure)") }
        let perClient = results.perThread.map(\.count)
        let all = results.all
        let median = percentile(all, 0.5)
        let p99 = percentile(all, 0.99)
        return Report(unit: "run", samples: [median],
                      extra: [("p99_us", format(p99)), ("p99_over_median", format(p99 / max(median, 1))), ("clients", "\(clients)"),
                              ("runs", "\(all.count)"),
                              ("fairness", format(Double(perClient.min() ?? 0) / Double(max(1, perClient.max() ?? 1))))])
    }

    /// 1,000 request/response round trips over 8 clients on 8 instances, durable: answer the
    /// open request, then wait for the next one's event. With `hosts` above one, that many
    /// daemons share the database (`daemonArguments` names a PostgreSQL one) and the clients
    /// are spread over them, each instance owned where its client is.
    static func hitl1kSocket(daemonArguments: [String] = [], hosts: Int = 1) throws -> Report {
        let daemons = try (0..<hosts).map { host in
            try Daemon(arguments: daemonArguments + (hosts > 1 ? ["--host-id", "h\(host)"] : []))
        }
        let sockets = daemons.map(\.socket)
        let clients = 8
        let perClient = 125
        var samples: [Double] = []
        var roundTrips: [Double] = []
        let controls = try daemons.map { try BlockingConnection(path: $0.socket) }
        let transactionsBefore = try zip(daemons, controls).reduce(0) { $0 + (try $1.0.transactions($1.1)) }
        let before = daemons.map(\.counters)
        for rep in 0..<5 {
            let results = ThreadResults.measure(threads: clients) { index, start in
                let client = try BlockingConnection(path: sockets[index % hosts])
                let name = JSON.string("hitl-\(rep)-\(index)")
                _ = try client.call("instance.create", ["name": name, "definition": "pingpong"])
                _ = try client.call("events.subscribe", ["instance": name])
                var requestID = try client.call("run.start", ["instance": name, "input": 0, "wait": true])["pendingRequests"]?[0] ?? .null
                start()
                var times: [Double] = []
                // The first request's event may still be on its way: a request already
                // answered is not the next one.
                var answered: Set<JSON> = []
                var lastEvents: [JSON] = []
                for n in 0..<perClient {
                    let began = nowMicros()
                    var next: JSON?
                    answered.insert(requestID)
                    let take = { (message: JSON) in
                        guard let event = message["params"]?["event"] else { return }
                        lastEvents = Array((lastEvents + [event]).suffix(8))
                        if event["type"] == "request", let id = event["request"]?["id"], !answered.contains(id) {
                            next = id
                        }
                    }
                    do {
                        _ = try client.call("request.respond", ["instance": name, "requestId": requestID, "response": .number(Double(n))],
                                            other: take)
                        while next == nil { take(try client.readMessage()) }
                    } catch {
                        // A round trip that does not come back is a finding: say where it stopped.
                        throw BenchFailure(description: "instance \(name.stringValue ?? "?"), round \(n): no next request after answering \(requestID.serialized()) (\(error)); last events: "
                                                   + lastEvents.map { $0.serialized() }.joined(separator: " "))
                    }
                    times.append(nowMicros() - began)
                    requestID = next ?? .null
                }
                return times
            }
            if let failure = results.failure { throw BenchFailure(description: "hitl1k_socket: \(failure)") }
            let times = results.all
            roundTrips += times
            samples.append(results.span / Double(clients * perClient))
        }
        // The set-up calls of each client (create, subscribe, the first run) are counted too: a
        // small share (3 calls beside 125 round trips).
        let used = zip(daemons, before).map { $0.0.counters - $0.1 }.reduce(Daemon.Counters()) { $0 + $1 }
        let transactions = try zip(daemons, controls).reduce(0) { $0 + (try $1.0.transactions($1.1)) }
        let commits = (transactions - transactionsBefore) / Double(roundTrips.count)
        return Report(unit: "round_trip", samples: samples,
                      extra: [("p99_us", format(percentile(roundTrips, 0.99))), ("latency_median_us", format(percentile(roundTrips, 0.5))),
                              ("clients", "\(clients)"), ("hosts", "\(hosts)"), ("commits_per_round_trip", format(commits))]
                        + used.per(roundTrips.count, "round_trip"))
    }

    /// Several hosts on one PostgreSQL database (DESIGN.md §12): 20 instances on host a, each
    /// waiting for a person; a is killed (SIGKILL); how long until host b answers the first of
    /// them (its request passed to a, withdrawn once a's lease has passed, applied on b), and
    /// the last. Five rounds, each on a new database.
    static func takeover(database: () async throws -> String) async throws -> Report {
        var first: [Double] = []
        var last: [Double] = []
        for _ in 0..<5 {
            let url = try await database()
            let a = try Daemon(arguments: ["--database", url, "--host-id", "a"])
            let b = try Daemon(arguments: ["--database", url, "--host-id", "b"])
            let (socketA, socketB) = (a.socket, b.socket)
            // The requests, as their ids (one report's samples would not hold strings).
            let requests = try await offPool {
                let onA = try BlockingConnection(path: socketA)
                var ids: [String] = []
                for n in 0..<20 {
                    let run = try onA.call("run.start", ["instance": .string("t\(n)"), "definition": "pingpong", "input": 0, "wait": true])
                    ids.append(run["pendingRequests"]?[0]?.stringValue ?? "")
                }
                return Report(unit: "", samples: [], extra: ids.enumerated().map { ("t\($0.offset)", $0.element) })
            }.extra
            a.crash()
            let killed = nowMicros()
            let times = try await offPool {
                let onB = try BlockingConnection(path: socketB, timeout: .seconds(60))
                var answered: [Double] = []
                for (name, request) in requests {
                    _ = try onB.call("request.respond", ["instance": .string(name), "requestId": .string(request), "response": 1])
                    answered.append(nowMicros() - killed)
                }
                return Report(unit: "s", samples: answered)
            }.samples
            first.append(times.first ?? 0)
            last.append(times.last ?? 0)
            b.stop()
        }
        return Report(unit: "takeover", samples: first, extra: [("all_20_answered_us_median", format(percentile(last, 0.5))),
                                                                ("lease_s", "3")])
    }

    /// The daemon's RSS growth with 10,000 instances created, after touching each once.
    static func instances10kDaemon() throws -> Report {
        let daemon = try Daemon()
        let client = try BlockingConnection(path: daemon.socket)
        let count = 10_000
        let before = daemon.residentKiB
        let start = nowMicros()
        // Pipelined: 100 requests a write, then their answers.
        var created = 0
        while created < count {
            let batch = (created..<min(count, created + 100)).map { n in
                client.request("instance.create", ["name": .string("inst-\(n)"), "definition": "echo"]).message
            }
            try client.send(batch)
            for _ in batch {
                let answer = try client.readMessage()
                if let error = answer["error"] { throw BenchFailure(description: "instance.create: \(error.serialized())") }
            }
            created += batch.count
        }
        var touched = 0
        while touched < count {
            let batch = (touched..<min(count, touched + 100)).map { n in client.request("instance.get", ["instance": .string("inst-\(n)")]).message }
            try client.send(batch)
            for _ in batch { _ = try client.readMessage() }
            touched += batch.count
        }
        let elapsed = nowMicros() - start
        let after = daemon.residentKiB
        let growth = after - before
        return Report(unit: "instance", samples: [elapsed / Double(count * 2)],
                      extra: [("rss_growth_mib", format(growth / 1024)), ("kib_per_instance", format(growth / Double(count))),
                              ("rss_mib", format(after / 1024))])
    }

    /// Socket activation from cold: `systemd-socket-activate` holds the socket, the first connect
    /// starts workflowd on a state directory with 10,000 instances, and the time runs from that
    /// connect to the first answer (a `daemon.ping`). The daemon is spawned and reaped with
    /// posix_spawn/waitpid on this thread.
    static func coldStart() throws -> Report {
        let instances = 10_000
        let prepared = try Daemon()
        let client = try BlockingConnection(path: prepared.socket)
        var created = 0
        while created < instances {
            let batch = (created..<min(instances, created + 100)).map { n in
                client.request("instance.create", ["name": .string("cold-\(n)"), "definition": "echo"]).message
            }
            try client.send(batch)
            for _ in batch {
                let answer = try client.readMessage()
                if let error = answer["error"] { throw BenchFailure(description: "instance.create: \(error.serialized())") }
            }
            created += batch.count
        }
        let directory = prepared.directory
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("workflowd").path
        prepared.stop()
        var samples: [Double] = []
        for round in 0..<7 {
            let socket = directory + "/cold-\(round).sock"
            let arguments = ["/usr/bin/systemd-socket-activate", "-l", socket, "--fdname=jsonrpc", binary, "--state-dir", directory + "/state",
                             "--definitions", directory + "/definitions", "--log-level", "warning"]
            let pid = try spawn(arguments)
            // The activator listens (the daemon is not started yet): wait for its socket file.
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
            kill(pid, SIGTERM)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
        return Report(unit: "start", samples: samples, extra: [("instances", "\(instances)")])
    }

    /// posix_spawn with stdout and stderr to /dev/null; returns the pid.
    static func spawn(_ arguments: [String]) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, arguments[0], &actions, nil, argv, environ)
        guard result == 0 else { throw BenchFailure(description: "cannot run \(arguments[0]): \(String(cString: strerror(result)))") }
        return pid
    }
}


import Foundation
import WorkflowTestSupport
import NIOConcurrencyHelpers
import WorkflowJSON

/// The real `workflowd` binary, started on a temporary socket, state directory and definitions
/// directory. `start()` returns once the daemon's log says it is listening (its stderr is read
/// by a thread and awaited, never slept on); `stop()` sends SIGTERM and returns the exit status; `kill9()` is a crash.
package final class DaemonProcess: Sendable {
    package let directory: String
    package var socket: String { directory + "/wd.sock" }
    package var state: String { directory + "/state" }
    package var definitions: String { directory + "/definitions" }
    package let arguments: [String]
    /// The workflowd to run (nil: the one built beside the tests).
    package let executable: String?
    private let current = NIOLockedValueBox<Running?>(nil)
    /// The PostgreSQL database this daemon keeps its state in, made at its first start (see ``storeOptions()``).
    private let postgresDatabase = NIOLockedValueBox<String?>(nil)

    /// Whether the daemons of this test run keep their state in PostgreSQL: with
    /// `WORKFLOWD_TEST_STORE=postgres` (Contrib/dev/test runs the daemon suite once so), each
    /// daemon gets a database of its own on the tests' PostgreSQL server, kept across its restarts.
    package static var storesInPostgres: Bool { ProcessInfo.processInfo.environment["WORKFLOWD_TEST_STORE"] == "postgres" }

    /// `--database URL` when the daemons keep their state in PostgreSQL (and the test did not
    /// choose a database itself), else nothing.
    private func storeOptions() async throws -> [String] {
        guard Self.storesInPostgres, !arguments.contains("--database") else { return [] }
        let server = try await PostgresServer.shared()
        if let made = postgresDatabase.withLockedValue({ $0 }) { return ["--database", server.url(database: made)] }
        let made = try await server.makeDatabase()
        postgresDatabase.withLockedValue { $0 = made }
        return ["--database", server.url(database: made)]
    }

    package struct Failure: Error, CustomStringConvertible {
        package var description: String
        package init(description: String) { self.description = description }
    }

    private final class Running: Sendable {
        struct LogWaiter {
            package var id: Int
            package var text: String
            package var count: Int
            package var continuation: CheckedContinuation<Void, any Error>
        }
        struct Log {
            package var text = ""
            package var ended = false
            package var waiters: [LogWaiter] = []
            package var nextID = 0
        }
        let pid = NIOLockedValueBox<pid_t>(0)
        let exited = NIOLockedValueBox<(status: Int32?, waiters: [CheckedContinuation<Int32, Never>])>((nil, []))
        let logState = NIOLockedValueBox(Log())
        var isRunning: Bool { exited.withLockedValue { $0.status == nil } }
        /// The exit (from the reaping thread).
        func exit(_ status: Int32) {
            let waiters = exited.withLockedValue { state in
                state.status = status
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume(returning: status) }
        }
        var log: String { logState.withLockedValue { $0.text } }

        /// Appends what the daemon wrote and wakes the waiters it satisfies (or all, at the end).
        func append(_ text: String?) {
            let (ready, failed): ([LogWaiter], [LogWaiter]) = logState.withLockedValue { log in
                if let text { log.text += text } else { log.ended = true }
                let ready = log.waiters.filter { log.text.occurrences(of: $0.text) >= $0.count }
                let failed = log.ended ? log.waiters.filter { log.text.occurrences(of: $0.text) < $0.count } : []
                log.waiters.removeAll { waiter in log.ended || log.text.occurrences(of: waiter.text) >= waiter.count }
                return (ready, failed)
            }
            for waiter in ready { waiter.continuation.resume() }
            for waiter in failed {
                waiter.continuation.resume(throwing: Failure(description: "workflowd ended without logging '\(waiter.text)':\n\(log)"))
            }
        }
    }

    /// - Parameters:
    ///   - definitions: file name → text, written to the definitions directory.
    ///   - arguments: more options for workflowd.
    package init(definitions: [String: String] = TestDefinitions.all, arguments: [String] = [], executable: String? = nil) throws {
        let base = FileManager.default.temporaryDirectory.path + "/wfd-" + String(UInt64.random(in: 0..<UInt64.max), radix: 36)
        directory = base
        self.arguments = arguments
        self.executable = executable
        try FileManager.default.createDirectory(atPath: base + "/definitions", withIntermediateDirectories: true)
        for (name, text) in definitions { try writeDefinition(name, text) }
    }

    deinit {
        if let running = current.withLockedValue({ $0 }), running.isRunning {
            kill(running.pid.withLockedValue { $0 }, SIGKILL)  // its reaping thread collects it
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    package func writeDefinition(_ name: String, _ text: String) throws {
        try text.write(toFile: definitions + "/" + name, atomically: true, encoding: .utf8)
    }

    package func removeDefinition(_ name: String) throws {
        try FileManager.default.removeItem(atPath: definitions + "/" + name)
    }

    /// The path of a gate for the `gated` definition (its run's input); closed until `open(_:)`.
    package func gate(_ name: String) -> String {
        directory + "/gate-" + name
    }

    /// Opens a gate: the `gated` run waiting on it goes on.
    package func open(_ gate: String) throws {
        guard FileManager.default.createFile(atPath: gate, contents: Data()) else { throw Failure(description: "cannot create \(gate)") }
    }

    /// The binary, built beside the test bundle (`swift build --build-tests` builds it).
    package static func binary() throws -> String {
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        var directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = directory.appendingPathComponent("workflowd").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        throw Failure(description: "workflowd is not built next to the tests (run `swift build --build-tests` first)")
    }

    /// How `systemd-socket-activate` starts the daemon: it listens on the socket itself and
    /// execs workflowd at the first connection, with `-E` variables.
    package struct Activation {
        package var notifySocket: String
        package var environment: [String: String] = [:]
        /// Hand over a datagram socket instead (which the daemon must refuse).
        package var datagram = false

        package init(notifySocket: String, environment: [String: String] = [:], datagram: Bool = false) {
            self.notifySocket = notifySocket
            self.environment = environment
            self.datagram = datagram
        }
    }

    /// Starts the daemon (again, after a stop or a crash) and waits until it listens; under
    /// socket activation, until `systemd-socket-activate` listens (the daemon itself starts at
    /// the first connection).
    package func start(extra: [String] = [], environment: [String: String] = [:], activation: Activation? = nil, awaitLog: Bool = true) async throws {
        let arguments = self.arguments + (try await storeOptions())
        let executable: String
        let processArguments: [String]
        if let activation {
            executable = "/usr/bin/systemd-socket-activate"
            var launcher = ["-l", socket, "--fdname=jsonrpc", "-E", "NOTIFY_SOCKET=\(activation.notifySocket)"]
            for (key, value) in activation.environment.sorted(by: { $0.key < $1.key }) { launcher += ["-E", "\(key)=\(value)"] }
            // systemd-socket-activate passes on only what -E names: a sanitizer's options too.
            for key in ["TSAN_OPTIONS", "ASAN_OPTIONS"] {
                if let value = ProcessInfo.processInfo.environment[key] { launcher += ["-E", "\(key)=\(value)"] }
            }
            if activation.datagram { launcher.append("--datagram") }
            processArguments = launcher + [try self.executable ?? Self.binary(), "--state-dir", state, "--definitions", definitions, "--log-level", "debug"]
                + arguments + extra
        } else {
            executable = try self.executable ?? Self.binary()
            processArguments = ["--socket", socket, "--state-dir", state, "--definitions", definitions, "--socket-mode", "666",
                                "--log-level", "debug"] + arguments + extra
        }
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        // stderr is drained at once by a thread of its own (so the daemon's logging never blocks)
        // and tests await its lines (readiness, a reload) instead of sleeping.
        let running = Running()
        current.withLockedValue { $0 = running }
        let pid = try ChildProcess.spawn(executable, processArguments, environment: env, onOutput: nil,
                                         onError: { chunk in running.append(chunk.isEmpty ? nil : String(decoding: chunk, as: UTF8.self)) },
                                         onExit: { status in running.exit(status) })
        running.pid.withLockedValue { $0 = pid }
        if awaitLog { try await waitForLog(activation == nil ? "is listening on" : "Listening on") }
    }

    /// Waits until the daemon has logged `text` at least `count` times (since it last started).
    /// - Throws: if it ends first, or after `timeout`.
    package func waitForLog(_ text: String, count: Int = 1, timeout: Duration = .seconds(30)) async throws {
        guard let running = current.withLockedValue({ $0 }) else { throw Failure(description: "workflowd is not started") }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                let id = running.logState.withLockedValue { log -> Int in
                    log.nextID += 1
                    return log.nextID
                }
                try await withTaskCancellationHandler {
                    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                        let outcome = running.logState.withLockedValue { log -> Bool? in
                            if log.text.occurrences(of: text) >= count { return true }
                            if log.ended || Task.isCancelled { return false }
                            log.waiters.append(.init(id: id, text: text, count: count, continuation: continuation))
                            return nil
                        }
                        switch outcome {
                        case true?: continuation.resume()
                        case false?: continuation.resume(throwing: Failure(description: "workflowd ended without logging '\(text)':\n\(running.log)"))
                        case nil: break
                        }
                    }
                } onCancel: {
                    let waiter = running.logState.withLockedValue { log -> Running.LogWaiter? in
                        guard let index = log.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                        return log.waiters.remove(at: index)
                    }
                    waiter?.continuation.resume(throwing: CancellationError())
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw Failure(description: "workflowd did not log '\(text)' within \(timeout):\n\(running.log)")
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    /// What the daemon wrote to stderr so far.
    package var log: String { current.withLockedValue { $0 }?.log ?? "" }

    package var pid: Int32 { current.withLockedValue { $0 }?.pid.withLockedValue { $0 } ?? 0 }

    /// Sends a signal and waits for the exit; returns the status (negative: killed by that signal).
    @discardableResult
    package func stop(_ signal: Int32 = SIGTERM) async -> Int32 {
        guard let running = current.withLockedValue({ $0 }) else { return 0 }
        let pid = running.pid.withLockedValue { $0 }
        kill(pid, signal)
        // A daemon that does not stop within a minute is killed (the test then sees -9 and fails)
        // rather than hanging the whole suite.
        if signal != SIGKILL {
            DispatchQueue.global().asyncAfter(deadline: .now() + 60) {
                if running.isRunning { kill(pid, SIGKILL) }
            }
        }
        return await withCheckedContinuation { continuation in
            let status = running.exited.withLockedValue { state -> Int32? in
                if let status = state.status { return status }
                state.waiters.append(continuation)
                return nil
            }
            if let status { continuation.resume(returning: status) }
        }
    }

    /// A crash: SIGKILL, no chance to clean up.
    package func kill9() async {
        await stop(SIGKILL)
    }

    /// Runs `statements` on the daemon's stored state while it is down (tests that move a stored
    /// time back instead of waiting for it); returns how many rows they changed in all.
    /// `postgres` is their PostgreSQL form where it differs from SQLite's.
    package func updateStoredState(_ statements: [String], postgres: [String]? = nil) async throws -> Int {
        if let database = postgresDatabase.withLockedValue({ $0 }) {
            let output = try await PostgresServer.shared().sql((postgres ?? statements).joined(separator: ";\n"), database: database, quiet: false)
            return output.split(separator: "\n").compactMap { line in line.hasPrefix("UPDATE ") ? Int(line.dropFirst(7)) : nil }.reduce(0, +)
        }
        let script = """
            import json, sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            changed = sum(db.execute(statement).rowcount for statement in json.loads(sys.argv[2]))
            db.commit()
            print(changed)
            """
        let outcome = try await ChildProcess.run("/usr/bin/python3", ["-c", script, state + "/workflowd.sqlite", JSON.array(statements.map { .string($0) }).serialized()])
        guard outcome.status == 0, let changed = Int(outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw Failure(description: "could not update the stored state: \(outcome)")
        }
        return changed
    }

    /// A new client connection.
    package func client() async throws -> TestClient {
        try await TestClient.connect(socket)
    }

    /// A started daemon.
    package static func started(definitions: [String: String] = TestDefinitions.all, arguments: [String] = [],
                        executable: String? = nil) async throws -> DaemonProcess {
        let daemon = try DaemonProcess(definitions: definitions, arguments: arguments, executable: executable)
        try await daemon.start()
        return daemon
    }
}

extension String {
    /// How many times `text` occurs (not overlapping).
    package func occurrences(of text: String) -> Int {
        components(separatedBy: text).count - 1
    }
}

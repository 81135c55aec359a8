import Foundation
import NIOConcurrencyHelpers
import WorkflowJSON

/// The real `workflowd` binary, started on a temporary socket, state directory and definitions
/// directory. `start()` returns once the daemon's log says it is listening; `stop()` sends SIGTERM and returns the exit status; `kill9()` is a crash.
final class DaemonProcess: Sendable {
    let directory: String
    var socket: String { directory + "/wd.sock" }
    var state: String { directory + "/state" }
    var definitions: String { directory + "/definitions" }
    let arguments: [String]
    private let current = NIOLockedValueBox<Running?>(nil)

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private final class Running: Sendable {
        let process: Process
        let logPath: String
        let exited = NIOLockedValueBox<(status: Int32?, waiters: [CheckedContinuation<Int32, Never>])>((nil, []))
        init(process: Process, logPath: String) {
            self.process = process
            self.logPath = logPath
        }
        var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
    }

    /// - Parameters:
    ///   - definitions: file name → text, written to the definitions directory.
    ///   - arguments: more options for workflowd.
    init(definitions: [String: String] = TestDefinitions.all, arguments: [String] = []) throws {
        let base = FileManager.default.temporaryDirectory.path + "/wfd-" + String(UInt64.random(in: 0..<UInt64.max), radix: 36)
        directory = base
        self.arguments = arguments
        try FileManager.default.createDirectory(atPath: base + "/definitions", withIntermediateDirectories: true)
        for (name, text) in definitions { try writeDefinition(name, text) }
    }

    deinit {
        if let running = current.withLockedValue({ $0 }), running.process.isRunning {
            kill(running.process.processIdentifier, SIGKILL)
            running.process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    func writeDefinition(_ name: String, _ text: String) throws {
        try text.write(toFile: definitions + "/" + name, atomically: true, encoding: .utf8)
    }

    func removeDefinition(_ name: String) throws {
        try FileManager.default.removeItem(atPath: definitions + "/" + name)
    }

    /// The binary, built beside the test bundle (`swift build --build-tests` builds it).
    static func binary() throws -> String {
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        var directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = directory.appendingPathComponent("workflowd").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        throw Failure(description: "workflowd is not built next to the tests (run `swift build --build-tests` first)")
    }

    /// Starts the daemon (again, after a stop or a crash) and waits until it listens.
    func start(extra: [String] = [], environment: [String: String] = [:]) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.binary())
        process.arguments = ["--socket", socket, "--state-dir", state, "--definitions", definitions, "--socket-mode", "666",
                             "--log-level", "debug"] + arguments + extra
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        // stderr goes to a file, never a pipe: a pipe nobody drains fast enough would block the
        // daemon's logging, and so the daemon.
        let logPath = directory + "/workflowd.\(UInt64.random(in: 0..<UInt64.max)).log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let logFile = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardError = logFile
        process.standardOutput = FileHandle.nullDevice
        let running = Running(process: process, logPath: logPath)
        process.terminationHandler = { process in
            let status = process.terminationReason == .uncaughtSignal ? -process.terminationStatus : process.terminationStatus
            let waiters = running.exited.withLockedValue { state in
                state.status = status
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume(returning: status) }
        }
        current.withLockedValue { $0 = running }
        try process.run()
        try? logFile.close()
        // Ready when it says so (polled: the file is the daemon's own account, not a guess).
        let deadline = ContinuousClock.now + .seconds(30)
        while !running.log.contains("is listening on") {
            if running.exited.withLockedValue({ $0.status }) != nil {
                throw Failure(description: "workflowd exited before listening:\n\(running.log)")
            }
            guard ContinuousClock.now < deadline else { throw Failure(description: "workflowd did not listen within 30 s:\n\(running.log)") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// What the daemon wrote to stderr so far.
    var log: String { current.withLockedValue { $0 }?.log ?? "" }

    var pid: Int32 { current.withLockedValue { $0 }?.process.processIdentifier ?? 0 }

    /// Sends a signal and waits for the exit; returns the status (negative: killed by that signal).
    @discardableResult
    func stop(_ signal: Int32 = SIGTERM) async -> Int32 {
        guard let running = current.withLockedValue({ $0 }) else { return 0 }
        kill(running.process.processIdentifier, signal)
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
    func kill9() async {
        await stop(SIGKILL)
    }

    /// A new client connection.
    func client() async throws -> TestClient {
        try await TestClient.connect(socket)
    }

    /// A started daemon.
    static func started(definitions: [String: String] = TestDefinitions.all, arguments: [String] = []) async throws -> DaemonProcess {
        let daemon = try DaemonProcess(definitions: definitions, arguments: arguments)
        try await daemon.start()
        return daemon
    }
}

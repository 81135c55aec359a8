import Foundation
import NIOConcurrencyHelpers
import WorkflowJSON

/// The real `wfctl` binary, run as a child process against a daemon's socket: its exit status,
/// stdout and stderr. Output is drained by threads of their own and the exit is awaited through
/// the termination handler, so nothing blocks the cooperative pool.
struct Wfctl {
    let socket: String
    var environment: [String: String] = ["NO_COLOR": "1"]

    struct Outcome: CustomStringConvertible {
        var status: Int32
        var stdout: String
        var stderr: String
        var description: String { "exit \(status)\n--- stdout\n\(stdout)\n--- stderr\n\(stderr)" }

        /// stdout as one JSON document.
        func json() throws -> JSON { try JSON(parsing: stdout) }
        /// stdout as JSON lines.
        func jsonLines() throws -> [JSON] {
            try stdout.split(separator: "\n").map { try JSON(parsing: String($0)) }
        }
    }

    /// The binary beside the test bundle.
    static func binary(_ name: String = "wfctl") throws -> String {
        let daemon = try DaemonProcess.binary()
        return URL(fileURLWithPath: daemon).deletingLastPathComponent().appendingPathComponent(name).path
    }

    /// Runs `wfctl ARGUMENTS` (with `--socket` unless `socket` is empty), feeding `input` on stdin.
    func run(_ arguments: [String], input: String? = nil, socketOption: Bool = true) async throws -> Outcome {
        try await Self.spawn(try Self.binary(), arguments, input: input, environment: environment,
                             socket: socketOption && !socket.isEmpty ? socket : nil)
    }

    static func spawn(_ executable: String, _ arguments: [String], input: String? = nil, environment: [String: String] = [:],
                      socket: String? = nil) async throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        // --socket is an option of each command: it goes last, after the subcommand's words.
        process.arguments = arguments + (socket.map { ["--socket", $0] } ?? [])
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "WORKFLOWD_SOCKET")
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe(), err = Pipe(), stdin = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = stdin
        let collected = NIOLockedValueBox<(out: Data, err: Data, pending: Int, status: Int32?, waiter: CheckedContinuation<Void, Never>?)>((Data(), Data(), 3, nil, nil))
        @Sendable func done() {
            let waiter = collected.withLockedValue { state -> CheckedContinuation<Void, Never>? in
                state.pending -= 1
                guard state.pending == 0 else { return nil }
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
        process.terminationHandler = { process in
            collected.withLockedValue { $0.status = process.terminationStatus }
            done()
        }
        try process.run()
        try? out.fileHandleForWriting.close()
        try? err.fileHandleForWriting.close()
        for (pipe, isOut) in [(out, true), (err, false)] {
            let thread = Thread {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                collected.withLockedValue { if isOut { $0.out = data } else { $0.err = data } }
                done()
            }
            thread.start()
        }
        if let input { try stdin.fileHandleForWriting.write(contentsOf: Data(input.utf8)) }
        try? stdin.fileHandleForWriting.close()
        await withCheckedContinuation { continuation in
            let ready = collected.withLockedValue { state -> Bool in
                if state.pending == 0 { return true }
                state.waiter = continuation
                return false
            }
            if ready { continuation.resume() }
        }
        let result = collected.withLockedValue { $0 }
        return Outcome(status: result.status ?? -1, stdout: String(decoding: result.out, as: UTF8.self),
                       stderr: String(decoding: result.err, as: UTF8.self))
    }
}

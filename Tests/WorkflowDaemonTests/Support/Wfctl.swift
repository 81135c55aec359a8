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

    /// Runs a program and collects its exit status and output (see ``ChildProcess``).
    static func spawn(_ executable: String, _ arguments: [String], input: String? = nil, environment: [String: String] = [:],
                      socket: String? = nil) async throws -> Outcome {
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "WORKFLOWD_SOCKET")
        for (key, value) in environment { env[key] = value }
        let results = NIOLockedValueBox<(out: [UInt8], err: [UInt8], status: Int32?, pending: Int, waiter: CheckedContinuation<Outcome, Never>?)>(
            ([], [], nil, 3, nil))
        @Sendable func finished() {
            let ready = results.withLockedValue { state -> (CheckedContinuation<Outcome, Never>, Outcome)? in
                state.pending -= 1
                guard state.pending == 0, let waiter = state.waiter else { return nil }
                state.waiter = nil
                return (waiter, Self.outcome(state.out, state.err, state.status))
            }
            if let (waiter, outcome) = ready { waiter.resume(returning: outcome) }
        }
        _ = try ChildProcess.spawn(executable, arguments + (socket.map { ["--socket", $0] } ?? []), environment: env, input: input,
                                   onOutput: { chunk in
                                       results.withLockedValue { $0.out += chunk }
                                       if chunk.isEmpty { finished() }
                                   },
                                   onError: { chunk in
                                       results.withLockedValue { $0.err += chunk }
                                       if chunk.isEmpty { finished() }
                                   },
                                   onExit: { status in
                                       results.withLockedValue { $0.status = status }
                                       finished()
                                   })
        return await withCheckedContinuation { continuation in
            let done = results.withLockedValue { state -> Outcome? in
                if state.pending == 0 { return Self.outcome(state.out, state.err, state.status) }
                state.waiter = continuation
                return nil
            }
            if let done { continuation.resume(returning: done) }
        }
    }

    private static func outcome(_ out: [UInt8], _ err: [UInt8], _ status: Int32?) -> Outcome {
        Outcome(status: status ?? -1, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }
}

import Foundation
import WorkflowJSON
import WorkflowTestSupport

/// The real `wfctl` binary, run as a child process against a daemon's socket: its exit status,
/// stdout and stderr. Output is drained by threads of their own and the exit is awaited through
/// the termination handler, so nothing blocks the cooperative pool.
package struct Wfctl {
    package let socket: String
    package var environment: [String: String] = ["NO_COLOR": "1"]

    package init(socket: String, environment: [String: String] = ["NO_COLOR": "1"]) {
        self.socket = socket
        self.environment = environment
    }

    package struct Outcome: CustomStringConvertible {
        package var status: Int32
        package var stdout: String
        package var stderr: String
        package var description: String { "exit \(status)\n--- stdout\n\(stdout)\n--- stderr\n\(stderr)" }

        /// stdout as one JSON document.
        package func json() throws -> JSON { try JSON(parsing: stdout) }
        /// stdout as JSON lines.
        package func jsonLines() throws -> [JSON] {
            try stdout.split(separator: "\n").map { try JSON(parsing: String($0)) }
        }
    }

    /// The binary beside the test bundle.
    package static func binary(_ name: String = "wfctl") throws -> String {
        let daemon = try DaemonProcess.binary()
        return URL(fileURLWithPath: daemon).deletingLastPathComponent().appendingPathComponent(name).path
    }

    /// Runs `wfctl ARGUMENTS` (with `--socket` unless `socket` is empty), feeding `input` on stdin.
    package func run(_ arguments: [String], input: String? = nil, socketOption: Bool = true) async throws -> Outcome {
        try await Self.spawn(try Self.binary(), arguments, input: input, environment: environment,
                             socket: socketOption && !socket.isEmpty ? socket : nil)
    }

    /// Runs a program and collects its exit status and output (see ``ChildProcess``).
    package static func spawn(_ executable: String, _ arguments: [String], input: String? = nil, environment: [String: String] = [:],
                      socket: String? = nil) async throws -> Outcome {
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "WORKFLOWD_SOCKET")
        for (key, value) in environment { env[key] = value }
        let outcome = try await ChildProcess.run(executable, arguments + (socket.map { ["--socket", $0] } ?? []), input: input, environment: env)
        return Outcome(status: outcome.status, stdout: outcome.stdout, stderr: outcome.stderr)
    }
}

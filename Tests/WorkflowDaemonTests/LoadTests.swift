import DaemonTestSupport
import Foundation
import WorkflowTestSupport
import NIOConcurrencyHelpers
import Testing
import WorkflowJSON

/// Contrib/dev/load for 10 seconds: 200 clients, every method, racing on shared instances.
extension MachineLoadingTests {
    @Suite("Daemon: load")
    struct LoadTests {
        @Test("200 clients, a mix of every method for 10 s: no unexpected error, no request left unanswered, the daemon stops cleanly, memory bounded",
              .timeLimit(.minutes(3)))
        func load() async throws {
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            let script = root.appendingPathComponent("Contrib/dev/load").path
            // Output and exit both awaited: the summary is the last line of stdout.
            struct Collected {
                var bytes: [UInt8] = []
                var errors: [UInt8] = []
                var eof = false
                var status: Int32?
                var continuation: CheckedContinuation<Void, any Error>?
            }
            let box = NIOLockedValueBox(Collected())
            @Sendable func finishIfDone() {
                let continuation = box.withLockedValue { state -> CheckedContinuation<Void, any Error>? in
                    guard state.eof, state.status != nil else { return nil }
                    defer { state.continuation = nil }
                    return state.continuation
                }
                continuation?.resume()
            }
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                box.withLockedValue { $0.continuation = continuation }
                do {
                    // A call's answer may take 30 s (4 times that under a sanitizer: a run.start that
                    // waits behind a queue on a shared instance), never for ever.
                    let callTimeout = 30 * TestEnvironment.slowdown
                    _ = try ChildProcess.spawn("/usr/bin/python3", [script, "--clients", "200", "--duration", "10", "--seed", "1212",
                                                                    "--workflowd", try DaemonProcess.binary(), "--json",
                                                                    "--call-timeout", "\(callTimeout)"],
                                               environment: ProcessInfo.processInfo.environment,
                                               onOutput: { chunk in
                                                   box.withLockedValue { if chunk.isEmpty { $0.eof = true } else { $0.bytes += chunk } }
                                                   finishIfDone()
                                               },
                                               onError: { chunk in box.withLockedValue { $0.errors = Array(($0.errors + chunk).suffix(4096)) } },
                                               onExit: { status in
                                                   box.withLockedValue { $0.status = status }
                                                   finishIfDone()
                                               })
                } catch {
                    box.withLockedValue { $0.continuation = nil }
                    continuation.resume(throwing: error)
                }
            }
            let (text, errors, status) = box.withLockedValue { (String(decoding: $0.bytes, as: UTF8.self), String(decoding: $0.errors, as: UTF8.self), $0.status) }
            // Without a summary, what the load said on stderr and how it ended are the finding.
            let summary = try JSON(parsing: try #require(text.split(separator: "\n").last.map(String.init),
                                                         "no summary (exit status \(status.map(String.init) ?? "?")): \(text)\nstderr: \(errors)"))
            #expect(summary["unexpected_count"] == 0, "unexpected: \(summary["unexpected"] ?? .null)")
            #expect(summary["daemon_alive"] == true)
            #expect(summary["daemon_exit"] == 0)
            // A floor that a stalled daemon falls far below: alone on two cores the load makes
            // about 5,900 requests in 10 s; beside the rest of the suite (PostgreSQL servers,
            // several daemons) 950–1,000.
            #expect(Double(summary["requests"]?.intValue ?? 0) > 500 / TestEnvironment.slowdown, "only \(summary["requests"] ?? .null) requests in 10 s")
            #expect((summary["methods"]?.intValue ?? 0) >= 28, "methods exercised: \(summary["methods"] ?? .null)")
            // A debug daemon with 200 connections and a few hundred instances: far under this.
            if TestEnvironment.measuresMemory {
                #expect((summary["rss_mib_max"]?.doubleValue ?? .infinity) < 400, "RSS \(summary["rss_mib_max"] ?? .null) MiB")
            }
        }
    }
}

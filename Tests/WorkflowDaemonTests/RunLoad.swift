import DaemonTestSupport
import Foundation
import WorkflowConcurrency
import WorkflowJSON
import WorkflowTestSupport

/// Clients that start trivial runs and wait for them, one instance each, until stopped, and
/// remember which runs were acknowledged as finished and when (the phase the test was in): the
/// load of the several-hosts fault tests.
final class RunLoad: Sendable {
    /// Run id → the phase it was acknowledged in.
    let acknowledged = Locked<[String: Int]>([:])
    /// Set by the test as it goes (before, during, after the fault).
    let phase = Locked(0)
    /// When the first run of each phase was acknowledged.
    let firstInPhase = Locked<[Int: ContinuousClock.Instant]>([:])
    private let stopped = Locked(false)

    /// One client on `socket`, running on `instance` until ``stop()``: a run answered as finished
    /// counts (one the store failed under is answered as failed, with the store's error, and
    /// does not); a refusal or a lost connection is tried again after a moment.
    func drive(_ socket: String, instance: String) async {
        var client: TestClient?
        var round = 0
        while !stopped.withLock({ $0 }) {
            round += 1
            do {
                if client == nil { client = try await TestClient.connect(socket) }
                let answer = try await client!.call("run.start", ["instance": .string(instance), "definition": "echo", "input": .number(Double(round)),
                                                                  "wait": true], timeout: .seconds(20))
                if case .success(let run) = answer, run["status"] == "idle", let id = run["runId"]?.stringValue {
                    let now = phase.withLock { $0 }
                    acknowledged.withLock { $0[id] = now }
                    firstInPhase.withLock { first in if first[now] == nil { first[now] = .now } }
                    // A steady load, not as fast as the machine goes: other suites run beside
                    // this one (the load test counts its own requests per second).
                    try? await Task.sleep(for: .milliseconds(10))
                    continue
                }
            } catch {
                client = nil  // its daemon is gone (killed), or the answer did not come
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Ends the clients' loops (each finishes the call it is in).
    func stop() { stopped.withLock { $0 = true } }

    /// Waits until `count` runs were acknowledged in `phase` (at most `limit`).
    func await(_ count: Int, in phase: Int, limit: Duration = .seconds(30)) async {
        let deadline = ContinuousClock.now + limit
        while self.count(in: phase) < count, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
    }

    /// Runs acknowledged in `phase`.
    func count(in phase: Int) -> Int { acknowledged.withLock { $0.values.filter { $0 == phase }.count } }

    /// Every acknowledged run, looked for in the database: those missing, and the statuses found.
    func missing(in database: String, on server: PostgresServer) async throws -> (missing: [String: Int], statuses: Set<String>) {
        let runs = acknowledged.withLock { $0 }
        guard !runs.isEmpty else { return ([:], []) }
        let stored = try await server.sql("SELECT string_agg(id || ':' || status, ',') FROM run WHERE id IN (\(runs.keys.map { "'\($0)'" }.joined(separator: ",")))",
                                          database: database)
        let found = Dictionary(stored.split(separator: ",").map { pair in (String(pair.split(separator: ":")[0]), String(pair.split(separator: ":")[1])) },
                               uniquingKeysWith: { first, _ in first })
        return (runs.filter { found[$0.key] == nil }, Set(found.values))
    }
}

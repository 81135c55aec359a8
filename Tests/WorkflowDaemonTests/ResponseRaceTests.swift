import DaemonTestSupport
import Foundation
import Testing
import WorkflowJSON
import WorkflowTestSupport

/// People answer as fast as the daemon asks: every answer is accepted while the run that asked
/// is ending, or just after, or while its end is being written. None may be left waiting.
@Suite("Daemon: answers that race the end of a run")
struct ResponseRaceTests {
    /// What one client saw go wrong: the instance, the request, the last events.
    struct Stuck: Error, CustomStringConvertible {
        var instance: String
        var request: String
        var round: Int
        var lastEvents: [JSON]
        var cause: any Error
        var description: String {
            "instance \(instance), round \(round): the answer to \(request) led to no next question (\(cause)); last events:\n"
                + lastEvents.map { "  \($0.serialized())" }.joined(separator: "\n")
        }
    }

    @Test("8 clients × 2,000 round trips on pingpong instances: each within 10 s, and no answer left waiting at the end",
          .timeLimit(.minutes(10)))
    func pingpongRoundTrips() async throws {
        // The release daemon, as the benchmark that found the race ran it (and three times as
        // quick, so that the rest of the suite is not starved meanwhile), logging what an
        // operator sees. Under a sanitizer, the instrumented one for 300 rounds: the same races,
        // looked at by the sanitizer.
        let release = Repository.root.appendingPathComponent(".build/release/workflowd").path
        let instrumented = TestEnvironment.sanitizer != nil || !FileManager.default.isExecutableFile(atPath: release)
        let daemon = try await DaemonProcess.started(arguments: ["--log-level", "notice"], executable: instrumented ? nil : release)
        let rounds = TestEnvironment.sanitizer == nil ? 2_000 : 300
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<8 {
                group.addTask { try await Self.pingpong(daemon, instance: "race-\(index)", rounds: rounds) }
            }
            try await group.waitForAll()
        }
        // Nothing waits anywhere: no run is active, the one open request is the last question,
        // and the head checkpoint has no message in flight (an answer not delivered would be one).
        let client = try await daemon.client()
        for index in 0..<8 {
            let name = JSON.string("race-\(index)")
            let info = try await client.result("instance.get", ["instance": name])
            #expect(info["activeRunId"] == nil || info["activeRunId"] == .null, "\(name.serialized()) still runs")
            #expect(info["status"] == "idle_with_pending_requests")
            #expect(info["openRequests"]?.arrayValue?.count == 1)
            let checkpoints = try await client.result("checkpoint.list", ["instance": name])
            let head = checkpoints["checkpoints"]?.arrayValue?.first { $0["head"] == true }
            #expect(head?["messagesInFlight"] == 0, "\(name.serialized()): \(head?.serialized() ?? "no head")")
        }
        #expect(await daemon.stop() == 0)
    }

    /// One person: answers each question as soon as its event arrives, `rounds` times.
    static func pingpong(_ daemon: DaemonProcess, instance: String, rounds: Int) async throws {
        let client = try await daemon.client()
        let name = JSON.string(instance)
        _ = try await client.result("instance.create", ["name": name, "definition": "pingpong"])
        _ = try await client.result("events.subscribe", ["instance": name])
        var request = try await client.result("run.start", ["instance": name, "input": 0, "wait": true])["pendingRequests"]?[0] ?? .null
        var answered: Set<JSON> = []
        var recent: [JSON] = []
        for round in 0..<rounds {
            answered.insert(request)
            do {
                _ = try await client.result("request.respond", ["instance": name, "requestId": request, "response": .number(Double(round))],
                                            timeout: TestEnvironment.scaled(.seconds(10)))
                // The first request's event may still be on its way: one already answered is not the next.
                let events = try await client.events(until: { event in
                    event["type"] == "request" && !answered.contains(event["request"]?["id"] ?? .null)
                }, timeout: TestEnvironment.scaled(.seconds(10)))
                recent = Array((recent + events).suffix(12))
                request = events.last?["request"]?["id"] ?? .null
            } catch {
                let log = try? await client.result("events.read", ["instance": name, "afterSeq": .number(Double(max(0, (recent.last?["seq"]?.intValue ?? 0) - 12)))])
                throw Stuck(instance: instance, request: request.stringValue ?? "?", round: round,
                            lastEvents: log?["events"]?.arrayValue ?? recent, cause: error)
            }
        }
        await client.close()
    }
}

import DaemonTestSupport
import Foundation
import Testing
import WorkflowJSON
import WorkflowTestSupport

/// kill -9, again and again, with requests in flight: after every restart nothing acknowledged
/// is missing, no seq is reused, and every instance is consistent.
@Suite("Daemon: a kill -9 loop")
struct CrashLoopTests {
    /// What the test knows was acknowledged or seen before a kill.
    struct Known {
        /// instance → seq → "type run": every event a read returned (so it was committed).
        var events: [String: [Int: String]] = [:]
        /// instance → request ids whose response the daemon acknowledged.
        var answered: [String: Set<String>] = [:]
        var runs = 0
    }

    static let instances = ["k0", "k1", "k2", "k3"]

    @Test("200 runs with requests across 20 kill -9s: acknowledged responses are kept, seqs never reused, instances consistent",
          .timeLimit(.minutes(10)))
    func killLoop() async throws {
        var random = SeededGenerator(seed: UInt64(ProcessInfo.processInfo.environment["WORKFLOWD_TEST_SEED"] ?? "") ?? 0x6b11_6b11)
        let daemon = try await DaemonProcess.started()
        var known = Known()
        var client = try await daemon.client()
        for name in Self.instances { _ = try await client.result("instance.create", ["name": .string(name), "definition": "ask"]) }
        for round in 0..<20 {
            if round > 0 {
                try await daemon.start()
                client = try await daemon.client()
                try await Self.check(client, &known, after: "restart \(round)")
            }
            // Ten runs, each acknowledged: a new run that raises a request, or an answer that continues one.
            for step in 0..<10 {
                let name = Self.instances[(round + step) % Self.instances.count]
                try await Self.advance(name, client, &known)
            }
            try await Self.recordEvents(client, &known)
            // A burst of requests, pipelined; the daemon dies after a random number of answers.
            var sent: [(id: Int, instance: String, requestID: String?)] = []
            for (offset, name) in Self.instances.enumerated() {
                let open = try await client.result("request.list", ["instance": .string(name)])["requests"]?[0]?["id"]?.stringValue
                let id = 10_000 + round * 10 + offset
                if let open {
                    try await client.send(["jsonrpc": "2.0", "id": .number(Double(id)), "method": "request.respond",
                                           "params": ["instance": .string(name), "requestId": .string(open), "response": ["ok": true]]])
                } else {
                    try await client.send(["jsonrpc": "2.0", "id": .number(Double(id)), "method": "run.start",
                                           "params": ["instance": .string(name), "input": .number(Double(round))]])
                }
                sent.append((id, name, open))
            }
            let waitFor = Int.random(in: 0...sent.count, using: &random)
            var answers = 0
            while answers < waitFor, let message = try await client.next() {
                guard let id = message["id"]?.intValue, let entry = sent.first(where: { $0.id == id }) else { continue }
                answers += 1
                known.runs += 1
                if message["result"] != nil, let requestID = entry.requestID { known.answered[entry.instance, default: []].insert(requestID) }
            }
            await daemon.kill9()
        }
        try await daemon.start()
        client = try await daemon.client()
        try await Self.check(client, &known, after: "the last restart")
        #expect(known.runs >= 200, "only \(known.runs) runs")
        #expect(await daemon.stop() == 0)
    }

    /// One acknowledged step on `name`: answer its open request, or start a run that raises one.
    static func advance(_ name: String, _ client: TestClient, _ known: inout Known) async throws {
        if let open = try await client.result("request.list", ["instance": .string(name)])["requests"]?[0]?["id"]?.stringValue {
            let accepted = try await client.result("request.respond", ["instance": .string(name), "requestId": .string(open), "response": ["ok": true]])
            known.answered[name, default: []].insert(open)
            _ = try await client.result("run.wait", ["instance": .string(name), "runId": accepted["runId"] ?? .null])
        } else {
            let run = try await client.result("run.start", ["instance": .string(name), "input": 1, "wait": true])
            #expect(run["status"] == "idle_with_pending_requests", "\(name): \(run)")
        }
        known.runs += 1
    }

    /// The instance's whole log, page by page.
    static func log(_ client: TestClient, _ name: String) async throws -> [JSON] {
        var events: [JSON] = []
        while true {
            let after = events.last?["seq"]?.intValue ?? 0
            let page = try await client.result("events.read", ["instance": .string(name), "afterSeq": .number(Double(after)), "limit": 1_000])
            let more = page["events"]?.arrayValue ?? []
            events += more
            if more.count < 1_000 { return events }
        }
    }

    static func recordEvents(_ client: TestClient, _ known: inout Known) async throws {
        for name in instances {
            for event in try await log(client, name) {
                guard let seq = event["seq"]?.intValue else { continue }
                known.events[name, default: [:]][seq] = Self.identity(event)
            }
        }
    }

    static func identity(_ event: JSON) -> String {
        "\(event["type"]?.stringValue ?? "?") \(event["runId"]?.stringValue ?? "-") \(event["request"]?["id"]?.stringValue ?? event["requestId"]?.stringValue ?? "")"
    }

    /// After a restart: recovered runs finish; the log holds every event seen before at the same
    /// seq, without gaps; every acknowledged response was accepted and its request is closed;
    /// the open requests are exactly those the log announced and nothing answered.
    static func check(_ client: TestClient, _ known: inout Known, after moment: String) async throws {
        for name in instances {
            // The instance's status is what it holds, which may be a commit ahead of the log (a
            // run's last superstep being written): run.wait answers once the run's end is on disk.
            // Asked until the instance has settled: a recovered run may not have been resumed yet
            // when the instance is first asked about (30 s at most).
            let settling = ContinuousClock.now + .seconds(30)
            repeat {
                _ = try await client.result("run.wait", ["instance": .string(name), "timeoutMs": 30_000])
            } while try await client.result("instance.get", ["instance": .string(name)])["status"] == "in_progress" && ContinuousClock.now < settling
            let log = try await log(client, name)
            let seqs = log.compactMap { $0["seq"]?.intValue }
            #expect(seqs == Array(1...max(1, seqs.count)).prefix(seqs.count).map { $0 }, "\(moment), \(name): seqs are not 1...n: \(seqs.prefix(5))…")
            var bySeq: [Int: String] = [:]
            for event in log { if let seq = event["seq"]?.intValue { bySeq[seq] = identity(event) } }
            for (seq, seen) in known.events[name] ?? [:] {
                #expect(bySeq[seq] == seen, "\(moment), \(name): seq \(seq) was '\(seen)', now '\(bySeq[seq] ?? "missing")'")
            }
            let accepted = Set(log.filter { $0["type"] == "response_accepted" }.compactMap { $0["requestId"]?.stringValue })
            let raised = Set(log.filter { $0["type"] == "request" }.compactMap { $0["request"]?["id"]?.stringValue })
            for requestID in known.answered[name] ?? [] {
                #expect(accepted.contains(requestID), "\(moment), \(name): acknowledged response to \(requestID) is not in the log")
            }
            let open = Set(try await client.result("request.list", ["instance": .string(name)])["requests"]?.arrayValue?
                .compactMap { $0["id"]?.stringValue } ?? [])
            #expect(open.isDisjoint(with: known.answered[name] ?? []), "\(moment), \(name): an answered request is open again")
            #expect(open == raised.subtracting(accepted), "\(moment), \(name): open \(open), raised-but-unanswered \(raised.subtracting(accepted))")
            let settled = try await client.result("instance.get", ["instance": .string(name)])["status"]
            #expect(settled == "idle" || settled == "idle_with_pending_requests", "\(moment), \(name): \(settled ?? .null)")
        }
        try await recordEvents(client, &known)
    }
}

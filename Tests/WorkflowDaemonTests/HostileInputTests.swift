import DaemonTestSupport
import Foundation
import Testing
import WorkflowJSON
import WorkflowProtocol
import WorkflowTestSupport

/// Input nobody should send: random bytes, truncated and mutated messages, every method with
/// params of the wrong shape. The daemon answers each line that is a request, never crashes, and
/// keeps what it had accepted.
@Suite("Daemon: hostile input")
struct HostileInputTests {
    @Test("2,000 malformed and mutated lines: every request is answered with an error or a result; the daemon lives and keeps its data")
    func mutatedMessages() async throws {
        var random = SeededGenerator(seed: 0x5eed_0dd)
        let daemon = try await DaemonProcess.started()
        let client = try await daemon.client()
        _ = try await client.result("run.start", ["instance": "keep", "definition": "ask", "input": "precious", "wait": true])
        let methods = RPCCatalogue.methods.map { $0.name }
        let values: [JSON] = [.null, true, 0, -1, 1e300, "", "keep", "../../etc/passwd", .string(String(repeating: "x", count: 5000)), [],
                              [1, [2, [3]]], ["instance": "keep"], ["instance": 1], ["a": ["b": ["c": .null]]]]
        let keys = ["instance", "name", "definition", "input", "runId", "requestId", "response", "checkpointId", "label", "afterSeq",
                    "limit", "timeoutMs", "wait", "cancel", "upgrade", "onBusy", "idempotencyKey", "text", "subscription", "after"]
        var requests = 0
        for n in 0..<2000 {
            let line: String
            switch Int.random(in: 0..<4, using: &random) {
            case 0:  // random bytes (no newline inside)
                line = String(decoding: (0..<Int.random(in: 0..<200, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
                    .map { $0 == 0x0A ? 0x20 : $0 }, as: UTF8.self)
            case 1:  // a valid request cut short
                let text = #"{"jsonrpc":"2.0","id":\#(n),"method":"run.start","params":{"instance":"keep","input":[1,2,3]}}"#
                line = String(text.prefix(Int.random(in: 0..<text.count, using: &random)))
            default:  // a well-formed request with params of random shapes
                var params: JSONObject = [:]
                for _ in 0..<Int.random(in: 0..<4, using: &random) {
                    params[keys.randomElement(using: &random)!] = values.randomElement(using: &random)!
                }
                // Never delete, reset or rewind the instance whose data is checked below, and
                // never wait long.
                let method = methods.filter { !["instance.delete", "instance.reset", "instance.rewind", "run.cancel", "checkpoint.delete",
                                                "checkpoint.prune"].contains($0) }.randomElement(using: &random)!
                if params["instance"] == "keep" && ["request.respond", "run.start"].contains(method) { params["instance"] = "other" }
                if method == "run.wait" || method == "events.subscribe" { params["timeoutMs"] = nil; params["instance"] = "nope" }
                line = JSON.object(["jsonrpc": "2.0", "id": .number(Double(n)), "method": .string(method), "params": .object(params)]).serialized()
                requests += 1
            }
            try await client.send(raw: line)
        }
        // Every line got at most one answer, every well-formed request exactly one; then the daemon still serves.
        let pong = try await client.result("daemon.ping", timeout: .seconds(120))
        #expect(pong["pong"] == true)
        var answers = 0
        while client.mailbox.waiting > 0, let message = try await client.next() {
            if message["id"] != nil { answers += 1 }
        }
        #expect(answers >= requests)
        #expect(answers <= 2000)
        let kept = try await client.result("request.list", ["instance": "keep"])
        #expect(kept["requests"]?.arrayValue?.count == 1, "what was accepted before is still there")
        #expect(await daemon.stop() == 0, "and it stops cleanly")
    }
}

extension HostileInputTests {
    @Test("many requests at once for an instance that is not there: each is answered -32001, and the daemon still stops cleanly")
    func concurrentMissingInstance() async throws {
        let daemon = try await DaemonProcess.started()
        let client = try await daemon.client()
        // Pipelined on one connection: they run concurrently and meet while the first loads.
        let lines = (1...50).map { #"{"jsonrpc":"2.0","id":\#($0),"method":"run.wait","params":{"instance":"nope"}}"# }
        try await client.send(raw: lines.joined(separator: "\n"))
        var codes: [JSON] = []
        for _ in 1...50 {
            let answer = try #require(try await client.next(timeout: .seconds(30)))
            codes.append(answer["error"]?["code"] ?? .null)
        }
        #expect(codes == Array(repeating: -32001, count: 50))
        #expect(await daemon.stop() == 0)
    }
}

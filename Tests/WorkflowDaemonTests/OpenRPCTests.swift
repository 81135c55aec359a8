import DaemonTestSupport
import Foundation
import JSONSchema
import NIOConcurrencyHelpers
import Testing
import WorkflowDaemon
import WorkflowEngine
import WorkflowJSON
import WorkflowProtocol

/// The OpenRPC document against the real daemon: it serves exactly the methods the document
/// lists, answers rpc.discover with it, and every param and result the tests sent and received
/// validates against the document's schemas (with the project's own JSONSchema).
@Suite("Daemon: the OpenRPC document")
struct OpenRPCTests {
    @Test("the daemon serves exactly the document's methods; the event types are the engine's")
    func servedMethods() {
        #expect(WorkflowDaemon.servedMethods == RPCCatalogue.methods.map { $0.name }.sorted())
        #expect(Set(RPCCatalogue.eventTypes) == Set(WorkflowEvent.Kind.allCases.map(\.rawValue)))
    }

    @Test("rpc.discover answers with Contrib/openrpc.json; every method answers something other than -32601")
    func discover() async throws {
        let daemon = try await DaemonProcess.started()
        let client = try await daemon.client()
        let document = try await client.result("rpc.discover")
        let contrib = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Contrib/openrpc.json").path
        #expect(document == (try JSONParser.parse(try String(contentsOfFile: contrib, encoding: .utf8))))
        for method in document["methods"]?.arrayValue ?? [] {
            let name = try #require(method["name"]?.stringValue)
            if case .failure(let error) = try await client.call(name, ["no such param": 1]) {
                #expect(error.code != .methodNotFound, "\(name) is documented but not served")
            }
        }
        #expect(try await client.error("instance.explode").code == .methodNotFound)
    }

    @Test("real params and results validate against the document's schemas")
    func realTrafficValidates() async throws {
        // A session that calls every method with real values.
        let daemon = try await DaemonProcess.started()
        let client = try await daemon.client()
        _ = try await client.result("daemon.ping")
        _ = try await client.result("daemon.status")
        _ = try await client.result("daemon.metrics")
        _ = try await client.result("daemon.reload")
        _ = try await client.result("definition.list")
        _ = try await client.result("definition.get", ["name": "ask"])
        _ = try await client.result("definition.validate", ["text": .string(TestDefinitions.echo)])
        _ = try await client.result("instance.create", ["name": "v", "definition": "ask", "onBusy": "queue"])
        _ = try await client.result("instance.list", ["limit": 10])
        _ = try await client.result("events.subscribe", ["instance": "v", "afterSeq": 0])
        let run = try await client.result("run.start", ["instance": "v", "input": ["x": 1], "idempotencyKey": "k", "wait": true])
        _ = try await client.result("run.wait", ["instance": "v", "timeoutMs": 10])
        _ = try await client.result("run.get", ["instance": "v", "runId": try #require(run["runId"])])
        _ = try await client.result("run.list", ["instance": "v"])
        let requests = try await client.result("request.list", ["instance": "v"])
        _ = try await client.result("request.list")
        let checkpoint = try await client.result("checkpoint.create", ["instance": "v", "label": "here"])
        _ = try await client.result("checkpoint.list", ["instance": "v"])
        _ = try await client.result("checkpoint.get", ["instance": "v", "checkpointId": "here"])
        let answered = try await client.result("request.respond", ["instance": "v", "requestId": try #require(requests["requests"]?[0]?["id"]),
                                                                   "response": ["ok": true]])
        _ = try await client.result("run.wait", ["instance": "v", "runId": try #require(answered["runId"])])
        _ = try await client.result("events.read", ["instance": "v"])
        _ = try await client.result("instance.get", ["instance": "v"])
        let graph = try await client.result("instance.graph", ["instance": "v"])
        #expect(graph["lastRun"]?["invocations"]?.arrayValue?.isEmpty == false)
        _ = try await client.result("instance.fork", ["instance": "v", "checkpointId": "here", "name": "w"])
        _ = try await client.result("instance.rewind", ["instance": "v", "checkpointId": try #require(checkpoint["id"])])
        _ = try await client.result("checkpoint.prune", ["instance": "v"])
        let old = try #require(try await client.result("checkpoint.list", ["instance": "v"])["checkpoints"]?.arrayValue?.first { $0["head"] == false })
        _ = try await client.result("checkpoint.delete", ["instance": "v", "checkpointId": try #require(old["id"])])
        _ = try await client.result("run.cancel", ["instance": "v"])
        _ = try await client.result("instance.reset", ["instance": "v", "upgrade": true])
        _ = try await client.result("events.unsubscribe", ["subscription": "none"])
        _ = try await client.result("instance.delete", ["instance": "w"])
        _ = try await client.result("schedule.create", ["name": "n", "instance": "v", "cron": "0 2 * * *", "timeZone": "Europe/Paris",
                                                        "input": ["x": 1], "jitter": "1m", "paused": true])
        _ = try await client.result("schedule.list", ["limit": 10])
        _ = try await client.result("schedule.resume", ["name": "n"])
        _ = try await client.result("schedule.get", ["name": "n"])
        _ = try await client.result("schedule.trigger", ["name": "n"])
        _ = try await client.result("schedule.get", ["name": "n"])
        _ = try await client.result("schedule.pause", ["name": "n"])
        _ = try await client.result("schedule.backfill", ["name": "n", "from": "2026-01-01T00:00:00Z", "to": "2026-01-03T00:00:00Z"])
        _ = try await client.result("schedule.delete", ["name": "n"])
        _ = try await client.result("instance.signal", ["instance": "v", "name": "kept", "payload": 1])
        _ = try await client.result("instance.pause", ["instance": "v", "reason": "checking"])
        _ = try await client.result("instance.get", ["instance": "v"])
        _ = try await client.result("instance.list")
        _ = try await client.result("instance.resume", ["instance": "v"])
        let marker = daemon.directory + "/retry-marker"
        _ = try await client.result("run.start", ["instance": "fl", "definition": "flaky", "input": .string(marker), "wait": true])
        _ = FileManager.default.createFile(atPath: marker, contents: Data())
        _ = try await client.result("run.retry", ["instance": "fl", "wait": true])

        // Everything recorded in this process (this session and any other test's so far).
        let calls = TestClient.recorded.withLockedValue { $0 }
        let methods = RPCCatalogue.methods
        var validators: [String: (params: JSONSchema, result: JSONSchema)] = [:]
        for (index, method) in methods.enumerated() {
            let result = method.name == DaemonMethods.Discover.name ? [:] : Self.schema(at: "#/methods/\(index)/result/schema")
            validators[method.name] = (try JSONSchema(method.paramsSchema), try JSONSchema(result))
        }
        // The schemas do bite: a wrong result and wrong params are refused.
        #expect(!(validators["run.start"]?.result.validate(["runId": 1, "instance": "v", "status": "weird"]).isEmpty ?? true))
        #expect(!(validators["run.start"]?.params.validate(["instance": "v", "wait": "yes"]).isEmpty ?? true))
        var covered = Set<String>()
        for call in calls {
            guard let validator = validators[call.method] else { continue }
            covered.insert(call.method)
            let paramErrors = validator.params.validate(call.params ?? [:])
            #expect(paramErrors.isEmpty, "\(call.method) params \(call.params?.serialized() ?? "{}"): \(paramErrors)")
            if call.method == "rpc.discover" { continue }
            let resultErrors = validator.result.validate(call.result)
            #expect(resultErrors.isEmpty, "\(call.method) result \(call.result.serialized()): \(resultErrors)")
        }
        #expect(covered.isSuperset(of: methods.map { $0.name }.filter { $0 != "rpc.discover" }), "not covered: \(Set(methods.map { $0.name }).subtracting(covered))")
    }

    static func schema(at pointer: String) -> JSON {
        guard case .object(var object) = RPCCatalogue.openRPC else { return .null }
        object["$ref"] = .string(pointer)
        return .object(object)
    }
}

import DaemonTestSupport
import Foundation
import Testing
import WorkflowJSON
import WorkflowProtocol
import WorkflowTestSupport

/// Traces (DESIGN.md §11) through the real binary, exported with OTLP/HTTP to a receiver that
/// decodes them with the official protocol buffer definitions.
@Suite("Daemon: traces continue the caller's, down to the steps' programs")
struct TracingTests {
    /// An exec step that says what it was given: TRACEPARENT, and the document's traceparent.
    static let traced = """
        name: traced
        start: look
        executors:
          look:
            kind: exec
            command: [/usr/bin/python3, -c, "import json, os, sys; d = json.load(sys.stdin); print(json.dumps({'env': os.environ.get('TRACEPARENT'), 'doc': d.get('traceparent')}))"]
          out: { kind: output }
        edges:
          - { from: look, to: out }
        """

    static func hex(_ count: Int) -> String { String((0..<count).map { _ in "0123456789abcdef".randomElement()! }) }

    static func traceparent() -> (header: String, trace: String, span: String) {
        let trace = hex(32), span = hex(16)
        return ("00-\(trace)-\(span)-01", trace, span)
    }

    @Test("a run started with a traceparent is one trace: the call's span under the caller's, the run under the call, supersteps under the run, the step's span under its superstep, the step's program given that span as TRACEPARENT; the commit has its span; the log names the trace")
    func runIsOneTrace() async throws {
        let receiver = try await OTLPReceiver.start()
        var definitions = TestDefinitions.all
        definitions["traced.yaml"] = Self.traced
        let daemon = try await DaemonProcess.started(definitions: definitions, arguments: ["--otlp-endpoint", receiver.endpoint])
        let client = try await daemon.client()
        let caller = Self.traceparent()
        let finished = try await client.result("run.start", ["instance": "t", "definition": "traced", "input": 1, "wait": true,
                                                             "traceparent": .string(caller.header)])
        #expect(finished["status"] == "idle", "\(finished)")
        let seen = try #require(finished["outputs"]?[0])
        let given = try #require(seen["env"]?.stringValue, "TRACEPARENT was not set: \(seen)")
        #expect(seen["doc"]?.stringValue == given, "the document carries the same traceparent: \(seen)")
        let parts = given.split(separator: "-").map(String.init)
        #expect(parts.count == 4 && parts[1] == caller.trace && parts[3] == "01", "\(given)")

        let spans = try await receiver.spans { spans in
            let names = Set(spans.filter { $0["traceId"]?.stringValue == caller.trace }.compactMap { $0["name"]?.stringValue })
            return ["run.start", "workflow.run", "workflow.superstep", "executor.process", "message.send", "edge_group.process", "store.commit"]
                .allSatisfy(names.contains)
        }
        let trace = spans.filter { $0["traceId"]?.stringValue == caller.trace }
        func one(_ name: String, _ extra: (JSON) -> Bool = { _ in true }) throws -> JSON {
            try #require(trace.first { $0["name"]?.stringValue == name && extra($0) }, "no \(name) span in \(trace)")
        }
        let call = try one("run.start")
        #expect(call["parentSpanId"]?.stringValue == caller.span, "the call's span is a child of the caller's")
        #expect(call["kind"] == 2 && call["attributes"]?["rpc.system"] == "jsonrpc" && call["attributes"]?["rpc.method"] == "run.start", "\(call)")
        #expect(call["resource"]?["service.name"] == "workflowd", "\(call)")
        let run = try one("workflow.run")
        #expect(run["parentSpanId"] == call["spanId"], "the run under the call: \(run)")
        #expect(run["attributes"]?["workflow.name"] == "traced" && run["attributes"]?["workflow.run.status"] == "idle", "\(run)")
        let superstep = try one("workflow.superstep")
        #expect(superstep["parentSpanId"] == run["spanId"], "\(superstep)")
        let step = try one("executor.process") { $0["attributes"]?["executor.id"] == "look" }
        #expect(step["parentSpanId"] == superstep["spanId"], "\(step)")
        #expect(parts.count == 4 && step["spanId"]?.stringValue == parts[2], "the program's TRACEPARENT is its step's span")
        let sent = try one("message.send") { $0["attributes"]?["message.source_id"] == "look" }
        #expect(sent["parentSpanId"] == superstep["spanId"] && sent["attributes"]?["message.target_id"] == ["out"] && sent["kind"] == 4, "\(sent)")
        // Agent Framework's span for the edge the message took, under the message's.
        let edge = try one("edge_group.process") { $0["parentSpanId"] == sent["spanId"] }
        #expect(edge["attributes"]?["edge_group.type"] == "SingleEdgeGroup" && edge["attributes"]?["edge_group.delivered"] == true
                && edge["attributes"]?["edge_group.delivery_status"] == "delivered" && edge["attributes"]?["message.target_id"] == ["out"]
                && edge["attributes"]?["message.source_id"] == "look" && edge["attributes"]?["edge_group.id"]?.stringValue != nil, "\(edge)")
        let commit = try one("store.commit")
        #expect((commit["attributes"]?["db.operation.batch.size"]?.intValue ?? 0) >= 1, "\(commit)")
        for span in trace { #expect((span["end"]?.doubleValue ?? 0) >= (span["start"]?.doubleValue ?? 1), "\(span)") }
        // The request's log entries name the trace (the journal's TRACE_ID= and SPAN_ID=).
        #expect(daemon.log.contains("trace.id=\(caller.trace)"), "\(daemon.log.suffix(2000))")
        #expect(receiver.complaints.isEmpty, "\(receiver.complaints)")
        #expect(await daemon.stop() == 0)
        await receiver.stop()
    }

    @Test("request.respond with a traceparent: the run that delivers the answer belongs to the responder's trace")
    func responseContinuesItsTrace() async throws {
        let receiver = try await OTLPReceiver.start()
        let daemon = try await DaemonProcess.started(arguments: ["--otlp-endpoint", receiver.endpoint])
        let client = try await daemon.client()
        let asked = try await client.result("run.start", ["instance": "a", "definition": "ask", "input": 1, "wait": true,
                                                          "traceparent": .string(Self.traceparent().header)])
        let request = try #require(asked["pendingRequests"]?[0]?.stringValue)
        let responder = Self.traceparent()
        let answered = try await client.result("request.respond", ["instance": "a", "requestId": .string(request), "response": ["ok": true],
                                                                   "traceparent": .string(responder.header)])
        _ = try await client.result("run.wait", ["instance": "a", "runId": answered["runId"] ?? .null])
        let spans = try await receiver.spans { spans in
            spans.contains { $0["traceId"]?.stringValue == responder.trace && $0["name"] == "workflow.run" && $0["attributes"]?["workflow.run.status"] == "idle" }
        }
        let trace = spans.filter { $0["traceId"]?.stringValue == responder.trace }
        let call = try #require(trace.first { $0["name"] == "request.respond" })
        #expect(call["parentSpanId"]?.stringValue == responder.span)
        let run = try #require(trace.first { $0["name"] == "workflow.run" })
        #expect(run["parentSpanId"] == call["spanId"], "\(trace)")
        #expect(await daemon.stop() == 0)
        await receiver.stop()
    }

    @Test("a response to a run still going on links that run's span to the responder's call: the run is not the call's child, but the trace says which answer it took")
    func responseLinksActiveRun() async throws {
        let receiver = try await OTLPReceiver.start()
        let daemon = try await DaemonProcess.started(arguments: ["--otlp-endpoint", receiver.endpoint])
        var client = try await daemon.client()
        _ = try await client.result("instance.create", ["name": "b", "definition": "branch"])
        _ = try await client.result("events.subscribe", ["instance": "b", "afterSeq": 0])
        // One branch asks a person, the other waits on a gate: the run is still going on when the answer comes.
        let run = try await client.result("run.start", ["instance": "b", "input": .string(daemon.gate("b")),
                                                        "traceparent": .string(Self.traceparent().header)])
        let request = try #require(try await client.events(until: { $0["type"] == "request" }).last?["request"]?["id"]?.stringValue)
        let responder = Self.traceparent()
        let answered = try await client.result("request.respond", ["instance": "b", "requestId": .string(request), "response": ["ok": true],
                                                                   "traceparent": .string(responder.header)])
        #expect(answered["runId"] == run["runId"], "the answer goes to the run going on: \(answered)")
        try daemon.open(daemon.gate("b"))
        _ = try await client.result("run.wait", ["instance": "b", "runId": try #require(run["runId"])])
        let spans = try await receiver.spans { spans in
            spans.contains { $0["name"] == "workflow.run" && $0["attributes"]?["workflow.run.id"] == run["runId"] }
                && spans.contains { $0["name"] == "request.respond" && $0["traceId"]?.stringValue == responder.trace }
        }
        let call = try #require(spans.first { $0["name"] == "request.respond" && $0["traceId"]?.stringValue == responder.trace })
        let runSpan = try #require(spans.first { $0["name"] == "workflow.run" && $0["attributes"]?["workflow.run.id"] == run["runId"] })
        let links = runSpan["links"]?.arrayValue ?? []
        #expect(links.contains { $0["traceId"]?.stringValue == responder.trace && $0["spanId"] == call["spanId"]
                                 && $0["attributes"]?["workflow.request.id"]?.stringValue == request }, "\(runSpan)")
        #expect(await daemon.stop() == 0)
        await receiver.stop()
    }

    @Test("a run interrupted by kill -9 goes on in its trace after the restart: the resumed run's span has the caller's trace id, says it resumed, and its step's program gets that trace")
    func resumedRunKeepsItsTrace() async throws {
        let receiver = try await OTLPReceiver.start()
        let daemon = try await DaemonProcess.started(arguments: ["--otlp-endpoint", receiver.endpoint])
        var client = try await daemon.client()
        _ = try await client.result("instance.create", ["name": "s", "definition": "gated"])
        _ = try await client.result("events.subscribe", ["instance": "s", "afterSeq": 0])
        let caller = Self.traceparent()
        let run = try await client.result("run.start", ["instance": "s", "input": .string(daemon.gate("s")),
                                                        "traceparent": .string(caller.header)])
        _ = try await client.events(until: { $0["type"] == "executor_invoked" })
        // The call's span was sent (the exporter sends every second); the run's was not: it is
        // still going on when the daemon dies.
        _ = try await receiver.spans { spans in spans.contains { $0["name"] == "run.start" && $0["traceId"]?.stringValue == caller.trace } }
        await daemon.kill9()
        try await daemon.start()
        client = try await daemon.client()
        try daemon.open(daemon.gate("s"))
        let result = try await client.result("run.wait", ["instance": "s", "runId": try #require(run["runId"])])
        #expect(result["status"] == "idle", "\(result)")
        let spans = try await receiver.spans { spans in
            spans.contains { $0["name"] == "workflow.run" && $0["attributes"]?["workflow.run.resumed"] == true }
        }
        let resumed = try #require(spans.first { $0["name"] == "workflow.run" && $0["attributes"]?["workflow.run.resumed"] == true })
        #expect(resumed["traceId"]?.stringValue == caller.trace && resumed["attributes"]?["workflow.run.id"] == run["runId"], "\(resumed)")
        // Its parent is the run's span from before the crash, which never ended (and so was never sent).
        let call = try #require(spans.first { $0["name"] == "run.start" && $0["traceId"]?.stringValue == caller.trace })
        #expect((resumed["parentSpanId"]?.stringValue ?? "").count == 16 && resumed["parentSpanId"] != call["spanId"], "\(resumed)")
        let step = try #require(spans.first { $0["name"] == "executor.process" && $0["traceId"]?.stringValue == caller.trace
                                              && $0["attributes"]?["executor.id"] == "wait" }, "the resumed step is in the trace")
        #expect(step["traceId"]?.stringValue == caller.trace)
        #expect(await daemon.stop() == 0)
        await receiver.stop()
    }

    @Test("what the engine logs during a traced run names the run's trace: a failed step's warning carries trace.id and span.id")
    func engineLogCarriesTrace() async throws {
        let receiver = try await OTLPReceiver.start()
        let daemon = try await DaemonProcess.started(arguments: ["--otlp-endpoint", receiver.endpoint])
        let caller = Self.traceparent()
        let failed = try await (try await daemon.client()).result("run.start", ["instance": "f", "definition": "flaky", "input": "/nonexistent/never",
                                                                                "wait": true, "traceparent": .string(caller.header)])
        #expect(failed["status"] == "failed", "\(failed)")
        let line = try #require(daemon.log.split(separator: "\n").first { $0.contains("a run failed") }, "\(daemon.log.suffix(2000))")
        #expect(line.contains("trace.id=\(caller.trace)") && line.contains("span.id="), "\(line)")
        #expect(await daemon.stop() == 0)
        await receiver.stop()
    }

    @Test("wfctl run passes TRACEPARENT from its environment: a traced script's trace goes on in the daemon")
    func wfctlPassesTraceparent() async throws {
        let receiver = try await OTLPReceiver.start()
        let daemon = try await DaemonProcess.started(arguments: ["--otlp-endpoint", receiver.endpoint])
        let caller = Self.traceparent()
        let outcome = try await Wfctl(socket: daemon.socket, environment: ["TRACEPARENT": caller.header])
            .run(["run", "e", "--definition", "echo", "--input", "1", "--wait"])
        #expect(outcome.status == 0, "\(outcome)")
        let spans = try await receiver.spans { spans in spans.contains { $0["traceId"]?.stringValue == caller.trace && $0["name"] == "workflow.run" } }
        #expect(spans.contains { $0["traceId"]?.stringValue == caller.trace && $0["name"] == "run.start" && $0["parentSpanId"]?.stringValue == caller.span })
        #expect(await daemon.stop() == 0)
        await receiver.stop()
    }

    @Test("spans go out in batches: 200 runs in quick succession take a few requests, not one per handful of spans")
    func batches() async throws {
        let receiver = try await OTLPReceiver.start()
        let daemon = try await DaemonProcess.started(arguments: ["--otlp-endpoint", receiver.endpoint])
        let client = try await daemon.client()
        _ = try await client.result("instance.create", ["name": "e", "definition": "echo"])
        let clock = ContinuousClock()
        let began = clock.now
        for n in 0..<200 { _ = try await client.result("run.start", ["instance": "e", "input": .number(Double(n)), "wait": true]) }
        #expect(await daemon.stop() == 0)  // the exporter sends what is left when the daemon stops
        let seconds = (clock.now - began).components.seconds
        let spans = try await receiver.spans { spans in spans.filter { $0["name"] == "workflow.run" }.count >= 200 }
        let requests = Set(spans.compactMap { $0["request"]?.intValue })
        // About 1,200 spans: a request per full batch of 512 and one a second for what waits,
        // and the last at the stop; sending until the queue was empty made it a request per
        // handful of spans (about 40 in half a second here).
        let bound = spans.count / 512 + Int(seconds) + 3
        #expect(requests.count <= bound, "\(requests.count) requests for \(spans.count) spans in \(seconds) s")
        await receiver.stop()
    }

    @Test("a traceparent that is not one is refused, naming the param; an untraced daemon takes a good one and makes no span")
    func badTraceparent() async throws {
        let receiver = try await OTLPReceiver.start()
        let traced = try await DaemonProcess.started(arguments: ["--otlp-endpoint", receiver.endpoint])
        let refused = try await (try await traced.client()).error("run.start", ["instance": "e", "definition": "echo", "input": 1,
                                                                                 "traceparent": "00-nothex-00-01"])
        #expect(refused.code == .invalidParams && refused.message.contains("params.traceparent"), "\(refused)")
        #expect(await traced.stop() == 0)
        let plain = try await DaemonProcess.started()
        let run = try await (try await plain.client()).result("run.start", ["instance": "e", "definition": "echo", "input": 1, "wait": true,
                                                                            "traceparent": .string(Self.traceparent().header)])
        #expect(run["status"] == "idle")
        #expect(await plain.stop() == 0)
        #expect(!receiver.spans.contains { $0["name"] == "run.start" && $0["attributes"]?["workflow.instance"] == "e" && $0["status"] == 0 })
        await receiver.stop()
    }

    @Test("OTEL_* variables: the endpoint, the service name and resource attributes; an unsupported protocol is refused at start")
    func environment() async throws {
        let receiver = try await OTLPReceiver.start()
        let daemon = try DaemonProcess(definitions: TestDefinitions.all)
        try await daemon.start(environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint, "OTEL_SERVICE_NAME": "flows",
                                             "OTEL_RESOURCE_ATTRIBUTES": "deployment.environment=test,team=ops%2Cinfra"])
        _ = try await (try await daemon.client()).result("run.start", ["instance": "e", "definition": "echo", "input": 1, "wait": true])
        let spans = try await receiver.spans { spans in spans.contains { $0["name"] == "workflow.run" } }
        let resource = try #require(spans.first?["resource"])
        #expect(resource["service.name"] == "flows" && resource["deployment.environment"] == "test" && resource["team"] == "ops,infra", "\(resource)")
        #expect(await daemon.stop() == 0)
        let refused = try await Wfctl.spawn(try DaemonProcess.binary(), ["--state-dir", "/nonexistent/never-created"],
                                            environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint, "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"])
        #expect(refused.status != 0 && refused.stderr.contains("OTEL_EXPORTER_OTLP_PROTOCOL") && refused.stderr.contains("http/protobuf"), "\(refused)")
        await receiver.stop()
    }
}

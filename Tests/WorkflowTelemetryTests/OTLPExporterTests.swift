import Logging
import Testing
import Tracing
@testable import WorkflowTelemetry
import WorkflowTestSupport

/// The exporter against a collector that answers as soon as it has a request's bytes and
/// closes the connection at once (as small collectors and proxies do).
@Suite("Telemetry: the exporter's requests")
struct OTLPExporterTests {
    @Test("a collector that answers and closes at once loses nothing: every request counts as sent (separate writes of head, body and end lost some to 'I/O on closed channel')")
    func quickCollector() async throws {
        let collector = try HTTPSink()
        defer { collector.stop() }
        let exporter = OTLPExporter(endpoint: try OTLPEndpoint(parsing: "http://127.0.0.1:\(collector.port)"), resource: [("service.name", "test")],
                                    logger: Logger(label: "test"))
        // Full batches (512 spans, about 300 KiB each): the collector has the last bytes, answers
        // and closes while the exporter's task waits for a thread to write its next part.
        let rounds = 40
        let filler = String(repeating: "x", count: 500)
        // The exporter's task competes for the cooperative pool with busy tasks, as it does with
        // a daemon's runs: between two of its writes, the collector's close comes in.
        let busy = Task {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        while !Task.isCancelled {
                            var spin = 0
                            for value in 0..<20_000 { spin &+= value }
                            if spin == 42 { print(spin) }
                            await Task.yield()
                        }
                    }
                }
            }
        }
        defer { busy.cancel() }
        let tracer = OTLPTracer(exporter: exporter)
        for round in 0..<rounds {
            for index in 0..<OTLPExporter.batchSize {
                let span = tracer.startSpan("s\(index)", context: .topLevel)
                span.attributes = ["round": .int64(Int64(round)), "filler": .string(filler)]
                span.end()
            }
            await exporter.sendWaiting(drain: true)
        }
        #expect(exporter.dropped == 0, "\(exporter.dropped) spans counted lost in \(rounds) requests")
        #expect(collector.requests == rounds)
    }
}

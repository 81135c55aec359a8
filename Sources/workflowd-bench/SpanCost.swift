#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import Tracing
import WorkflowEngine
import WorkflowTelemetry
import WorkflowTestSupport

/// `span_cost`: what one span costs the process that makes it, from its start to its bytes on
/// the collector's socket (the tracer, the attributes, the exporter's queue, encoding, the
/// requests), independently of any daemon: spans made as the engine makes them (`inSpan`, a
/// superstep holding an executor's step, in an actor), exported to `HTTPSink` by the real
/// exporter.
/// Reports the process's CPU time per span, which unlike wall time barely depends on the noise.
enum SpanCost {
    actor Maker {
        let tracer: OTLPTracer
        init(tracer: OTLPTracer) { self.tracer = tracer }

        func make(_ count: Int, exporter: OTLPExporter) async {
            for index in 0..<count / 2 {
                // Never faster than the exporter sends (a full queue drops spans, whose encoding
                // would then not be counted).
                if index % 256 == 0 {
                    while exporter.waiting > OTLPExporter.queueLimit / 2 { try? await Task.sleep(for: .milliseconds(1)) }
                }
                let superstep: SpanAttributes = ["workflow.superstep": .int64(Int64(index)), "workflow.run.id": "r-0123456789abcdef"]
                await tracer.inSpan("workflow.superstep", attributes: superstep) { _ in
                    let step: SpanAttributes = ["executor.id": "review", "workflow.superstep": .int64(Int64(index)),
                                                "workflow.run.id": "r-0123456789abcdef"]
                    await tracer.inSpan("executor.process", attributes: step) { _ in }
                }
            }
        }
    }

    static func run() async throws -> Report {
        let sink = try HTTPSink()
        let exporter = OTLPExporter(endpoint: try OTLPEndpoint(parsing: "http://127.0.0.1:\(sink.port)"),
                                    resource: [("service.name", "workflowd-bench")], logger: Logger(label: "bench"))
        let sending = Task { await exporter.run() }
        let maker = Maker(tracer: OTLPTracer(exporter: exporter))
        let perRep = 20_000
        var samples: [Double] = []
        var cpu: [Double] = []
        await maker.make(2_000, exporter: exporter)  // warm-up
        for _ in 0..<7 {
            let before = processCPUMicros()
            let start = nowMicros()
            await maker.make(perRep, exporter: exporter)
            samples.append((nowMicros() - start) / Double(perRep))
            // Let the exporter send what this repetition made before the next begins, so its
            // time is counted here, and not much of it in a queue that overflows.
            try await Task.sleep(for: .milliseconds(1_100))
            cpu.append((processCPUMicros() - before) / Double(perRep))
        }
        sending.cancel()
        await sending.value
        var report = Report(unit: "span", samples: samples)
        let sorted = cpu.sorted()
        report.extra = [("cpu_us_per_span", format(sorted[sorted.count / 2])), ("dropped", String(exporter.dropped)),
                        ("exported_kib", String(sink.bytes / 1024))]
        return report
    }

    static func processCPUMicros() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e6 + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec)
    }
}

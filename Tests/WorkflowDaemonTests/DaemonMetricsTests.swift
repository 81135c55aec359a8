import Testing
@testable import WorkflowDaemon
import WorkflowEngine
import WorkflowJSON

/// The metrics' own rules, without a daemon: bounded labels, runs counted from the events an
/// instance commits, the addresses `--metrics-listen` takes.
@Suite("Metrics: labels, counting from events, listen addresses")
struct DaemonMetricsTests {
    @Test("definition labels are bounded: past the limit, new definitions count as other")
    func definitionLabelsBounded() {
        let metrics = DaemonMetrics(startedAt: 0)
        for index in 0..<DaemonMetrics.definitionLabelLimit { #expect(metrics.definitionLabel("d\(index)") == "d\(index)") }
        #expect(metrics.definitionLabel("one-more") == "other")
        #expect(metrics.definitionLabel("d7") == "d7", "a definition already labelled keeps its label")
        let text = metrics.exposition(DaemonMetricsSnapshot())
        #expect(!text.contains("one-more"))
    }

    @Test("an instance's observer counts run starts, supersteps with their time, and each run's end by status; not the in-progress status nor an instance's own status changes")
    func countsFromEvents() {
        let metrics = DaemonMetrics(startedAt: 0)
        let observer = metrics.runMetrics(definition: "review")
        func event(_ seq: UInt64, _ time: Double, run: String?, _ body: WorkflowEvent.Body) -> WorkflowEvent {
            WorkflowEvent(seq: seq, time: time, instance: "i", runID: run, body: body)
        }
        observer.delivered([event(1, 10, run: "r", .runStarted(trigger: .input, input: 1)), event(2, 10, run: "r", .status(.inProgress)),
                            event(3, 10, run: "r", .superstepStarted(superstep: 1))])
        observer.delivered([event(4, 10.25, run: "r", .superstepCompleted(superstep: 1)), event(5, 10.25, run: "r", .status(.idleWithPendingRequests)),
                            event(6, 11, run: nil, .status(.idle))])
        let lines = metrics.exposition(DaemonMetricsSnapshot()).split(separator: "\n").map(String.init)
        #expect(lines.contains(#"workflowd_runs_started_total{definition="review"} 1"#))
        #expect(lines.contains(#"workflowd_supersteps_total{definition="review"} 1"#))
        #expect(lines.contains(#"workflowd_superstep_duration_seconds_sum{definition="review"} 0.25"#), "\(lines)")
        #expect(lines.contains(#"workflowd_superstep_duration_seconds_bucket{definition="review",le="0.1"} 0"#))
        #expect(lines.contains(#"workflowd_superstep_duration_seconds_bucket{definition="review",le="0.5"} 1"#))
        #expect(lines.contains(#"workflowd_runs_finished_total{definition="review",status="idle_with_pending_requests"} 1"#))
        #expect(!lines.contains { $0.contains("status=\"in_progress\"") || $0.contains("status=\"idle\"") }, "\(lines)")
    }

    @Test("--metrics-listen takes loopback HOST:PORT and paths", arguments: [
        ("127.0.0.1:9464", MetricsListen.tcp(host: "127.0.0.1", port: 9464)), ("[::1]:0", .tcp(host: "::1", port: 0)),
        ("localhost:9100", .tcp(host: "127.0.0.1", port: 9100)), ("127.8.9.10:1", .tcp(host: "127.8.9.10", port: 1)),
        ("/run/workflowd/metrics.sock", .unix(path: "/run/workflowd/metrics.sock")), ("./m.sock", .unix(path: "./m.sock")),
    ])
    func listenAddresses(text: String, expected: MetricsListen) throws {
        #expect(try MetricsListen(parsing: text) == expected)
    }

    @Test("--metrics-listen refuses other hosts, missing or bad ports, and over-long paths, saying which", arguments: [
        ("0.0.0.0:9464", "loopback only"), ("10.0.0.1:80", "loopback only"), ("example.org:80", "loopback only"),
        ("127.0.0.1", "neither HOST:PORT"), ("127.0.0.1:http", "is not a port"), ("[::1]", "has no port"),
        ("127.0.0.1:65536", "is not a port"), ("/" + String(repeating: "x", count: 120), "longer than a Unix socket path"),
    ])
    func refusedAddresses(text: String, problem: String) {
        #expect {
            try MetricsListen(parsing: text)
        } throws: { error in
            "\(error)".contains(problem)
        }
    }
}

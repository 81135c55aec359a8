import DaemonTestSupport
import Foundation
import Testing
import WorkflowJSON
import WorkflowProtocol
import WorkflowTestSupport

/// The daemon's metrics (DESIGN.md §11) through the real binary: `daemon.metrics`, the HTTP
/// endpoint (`--metrics-listen`), and a real Prometheus scraping it.
@Suite("Daemon: metrics over JSON-RPC, over HTTP, scraped by Prometheus")
struct MetricsTests {
    /// A daemon serving its metrics on a free loopback port; the address it logged.
    func daemonWithEndpoint(_ place: String = "127.0.0.1:0") async throws -> (DaemonProcess, String) {
        let daemon = try await DaemonProcess.started(arguments: ["--metrics-listen", place])
        try await daemon.waitForLog("metrics are served at")
        let address = try #require(daemon.log.split(separator: "\n").lazy.compactMap { line -> String? in
            guard let range = line.range(of: "metrics.address=") else { return nil }
            return String(line[range.upperBound...].prefix { !$0.isWhitespace })
        }.first)
        return (daemon, address)
    }

    /// The sample lines of an exposition (comments left out).
    func samples(_ text: String) -> [String] { text.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") } }

    @Test("daemon.metrics counts runs by definition and how they ended, supersteps, open requests, commits and calls, with HELP and TYPE for each metric")
    func countsWhatHappened() async throws {
        let daemon = try await DaemonProcess.started()
        let client = try await daemon.client()
        for input in [1, 2] { _ = try await client.result("run.start", ["instance": "e", "definition": "echo", "input": .number(Double(input)), "wait": true]) }
        let asked = try await client.result("run.start", ["instance": "a", "definition": "ask", "input": 1, "wait": true])
        let request = try #require(asked["pendingRequests"]?[0]?.stringValue)
        _ = try await client.error("instance.get", ["instance": "nope"])

        var text = try #require(try await client.result("daemon.metrics")["text"]?.stringValue)
        var lines = samples(text)
        #expect(lines.contains(#"workflowd_runs_started_total{definition="echo"} 2"#), "\(text)")
        #expect(lines.contains(#"workflowd_runs_finished_total{definition="echo",status="idle"} 2"#), "\(text)")
        #expect(lines.contains(#"workflowd_runs_finished_total{definition="ask",status="idle_with_pending_requests"} 1"#), "\(text)")
        #expect(lines.contains(#"workflowd_supersteps_total{definition="echo"} 2"#), "\(text)")
        #expect(lines.contains(#"workflowd_superstep_duration_seconds_count{definition="echo"} 2"#), "\(text)")
        #expect(lines.contains("workflowd_open_requests 1.0"), "\(text)")
        #expect(lines.contains("workflowd_instances_loaded 2.0") && lines.contains("workflowd_instances_stored 2.0"), "\(text)")
        #expect(lines.contains(#"workflowd_rpc_requests_total{method="instance.get",outcome="error",code="-32001"} 1"#), "\(text)")
        #expect(lines.contains(#"workflowd_rpc_requests_total{method="run.start",outcome="ok",code="0"} 3"#), "\(text)")
        let commits = lines.first { $0.hasPrefix("workflowd_commits_total ") }.flatMap { Double($0.split(separator: " ")[1]) } ?? 0
        #expect(commits >= 3, "\(text)")
        let age = lines.first { $0.hasPrefix("workflowd_oldest_open_request_age_seconds ") }.flatMap { Double($0.split(separator: " ")[1]) } ?? -1
        #expect(age > 0 && age < 60, "\(text)")
        // Every metric says what it is; no label carries an instance name or a run id.
        let families = Set(text.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] })
        let described = Set(text.split(separator: "\n").filter { $0.hasPrefix("# HELP ") }.map { $0.split(separator: " ")[2] })
        #expect(families.count >= 15 && families == described, "\(families.symmetricDifference(described))")
        #expect(!text.contains(#""e""#) && !text.contains(#""a""#) && !text.contains(request), "\(text)")

        // Answered: the run that delivers it ends idle; nothing is open any more.
        let answered = try await client.result("request.respond", ["instance": "a", "requestId": .string(request), "response": ["ok": true]])
        _ = try await client.result("run.wait", ["instance": "a", "runId": answered["runId"] ?? .null])
        text = try #require(try await client.result("daemon.metrics")["text"]?.stringValue)
        lines = samples(text)
        #expect(lines.contains(#"workflowd_runs_finished_total{definition="ask",status="idle"} 1"#), "\(text)")
        #expect(lines.contains(#"workflowd_runs_started_total{definition="ask"} 2"#), "\(text)")
        #expect(lines.contains("workflowd_open_requests 0.0") && lines.contains("workflowd_oldest_open_request_age_seconds 0.0"), "\(text)")
        #expect(await daemon.stop() == 0)
    }

    @Test("the HTTP endpoint serves the exposition at /metrics (text format 0.0.4), 404 elsewhere, 405 for other methods")
    func httpEndpoint() async throws {
        let (daemon, address) = try await daemonWithEndpoint()
        let client = try await daemon.client()
        _ = try await client.result("run.start", ["instance": "e", "definition": "echo", "input": 1, "wait": true])
        let scraped = try await HTTPGet.fetch("http://\(address)/metrics")
        #expect(scraped.status == 200)
        #expect(scraped.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8", "\(scraped.headers)")
        #expect(samples(scraped.body).contains(#"workflowd_runs_started_total{definition="echo"} 1"#), "\(scraped.body)")
        let head = try await HTTPGet.fetch("http://\(address)/metrics", method: "HEAD")
        #expect(head.status == 200 && head.body.isEmpty)
        let missing = try await HTTPGet.fetch("http://\(address)/nope")
        #expect(missing.status == 404 && missing.body.contains("/metrics"), "\(missing)")
        let posted = try await HTTPGet.fetch("http://\(address)/metrics", method: "POST")
        #expect(posted.status == 405 && posted.headers["allow"] == "GET, HEAD", "\(posted)")
        #expect(await daemon.stop() == 0)
    }

    @Test("on a Unix socket path, the endpoint serves the same; the socket is removed at stop")
    func unixEndpoint() async throws {
        var template = Array("/tmp/wfd-metrics-XXXXXX".utf8CString)
        let directory = String(cString: try #require(mkdtemp(&template)))
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/metrics.sock"
        let (daemon, address) = try await daemonWithEndpoint(path)
        #expect(address == path)
        let scraped = try await HTTPGet.fetch("http://localhost/metrics", unixSocket: path)
        #expect(scraped.status == 200 && scraped.body.contains("# TYPE workflowd_instances_loaded gauge"), "\(scraped)")
        #expect(await daemon.stop() == 0)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("--metrics-listen refuses what is not loopback or a path, naming the problem", arguments: [
        ("0.0.0.0:9464", "loopback only"), ("127.0.0.1", "neither HOST:PORT"), ("127.0.0.1:99999", "is not a port"),
    ])
    func refusedAddresses(address: String, problem: String) async throws {
        let outcome = try await Wfctl.spawn(try DaemonProcess.binary(), ["--metrics-listen", address, "--state-dir", "/nonexistent/never-created"])
        #expect(outcome.status != 0)
        #expect(outcome.stderr.contains("--metrics-listen") && outcome.stderr.contains(problem), "\(outcome.stderr)")
    }

    @Test("a port already taken fails the start, saying so")
    func portTaken() async throws {
        let (first, address) = try await daemonWithEndpoint()
        let second = try DaemonProcess(definitions: TestDefinitions.all, arguments: ["--metrics-listen", address])
        await #expect(throws: (any Error).self) { try await second.start() }
        #expect(second.log.contains("cannot serve the metrics on \(address)"), "\(second.log)")
        #expect(await first.stop() == 0)
    }

    @Test("a real Prometheus scrapes the endpoint: runs per definition, runs ended by status, open requests, the oldest one's age, p99 superstep time",
          .enabled(if: !DaemonProcess.storesInPostgres))
    func prometheusScrapes() async throws {
        let (daemon, address) = try await daemonWithEndpoint()
        let prometheus = try await PrometheusServer.start(scraping: [address])
        let client = try await daemon.client()
        for input in 1...3 { _ = try await client.result("run.start", ["instance": "e", "definition": "echo", "input": .number(Double(input)), "wait": true]) }
        _ = try await client.result("run.start", ["instance": "a", "definition": "ask", "input": 1, "wait": true])
        // Scraped every second: wait (with a deadline) until a scrape has seen all of it.
        let seen = try await within(.seconds(30), "Prometheus to scrape the runs") {
            while true {
                if try await prometheus.value(#"workflowd_runs_started_total{definition="echo"}"#) == 3,
                   try await prometheus.value("workflowd_open_requests") == 1 { return true }
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        #expect(seen)
        #expect(try await prometheus.value(#"up{job="workflowd"}"#) == 1)
        let ended = try await prometheus.query("sum by (status) (workflowd_runs_finished_total)")
        let byStatus = Dictionary(uniqueKeysWithValues: ended.compactMap { series -> (String, Double)? in
            guard let status = series["metric"]?["status"]?.stringValue, let value = series["value"]?[1]?.stringValue.flatMap(Double.init) else { return nil }
            return (status, value)
        })
        #expect(byStatus == ["idle": 3, "idle_with_pending_requests": 1], "\(ended)")
        #expect(try await prometheus.value("workflowd_oldest_open_request_age_seconds") ?? 0 > 0)
        let p99 = try await prometheus.value("histogram_quantile(0.99, sum by (le) (workflowd_superstep_duration_seconds_bucket))")
        #expect(p99 != nil && p99! > 0 && p99! <= 60, "\(String(describing: p99))")
        await prometheus.stop()
        // Stopped means gone: the server no longer answers (its shell once died alone, and the
        // server went on scraping after the tests).
        #expect((try? await HTTPGet.fetch(prometheus.url + "/-/ready")) == nil)
        #expect(await daemon.stop() == 0)
    }
}

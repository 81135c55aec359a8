import Foundation
import WorkflowJSON

/// A Prometheus server of a test's own (Debian's `prometheus`, which Contrib/dev/packages
/// installs): its configuration and data in a temporary directory, its web API on a loopback
/// port, scraping the given targets every second. It is stopped by ``stop()``, or when the test
/// process ends, however it ends (it runs under a shell holding this process's end of a pipe).
public final class PrometheusServer: Sendable {
    /// Where its API answers (`http://127.0.0.1:PORT`).
    public let url: String
    private let process: ChildProcess.Running

    public static let binary = "/usr/bin/prometheus"

    private init(url: String, process: ChildProcess.Running) {
        self.url = url
        self.process = process
    }

    /// Starts a server scraping `targets` (`127.0.0.1:PORT`) at `/metrics` every second, as job
    /// `workflowd`; returns once it says it is ready.
    public static func start(scraping targets: [String]) async throws -> PrometheusServer {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw ChildProcess.Failure(description: "Prometheus is not installed (\(binary)): run Contrib/dev/packages test")
        }
        var template = Array("/tmp/wfd-prom-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw ChildProcess.Failure(description: "mkdtemp: \(String(cString: strerror(errno)))") }
        let directory = String(cString: made)
        let configuration = """
            global:
              scrape_interval: 1s
              scrape_timeout: 900ms
            scrape_configs:
              - job_name: workflowd
                static_configs:
                  - targets: [\(targets.map { "'\($0)'" }.joined(separator: ", "))]
            """
        try configuration.write(toFile: directory + "/prometheus.yml", atomically: true, encoding: .utf8)
        let port = try HTTPGet.freePort()
        let server = "\(binary) --config.file='\(directory)/prometheus.yml' --storage.tsdb.path='\(directory)/data' "
            + "--web.listen-address=127.0.0.1:\(port) --log.level=warn"
        // SIGTERM (``stop()``) or the end of this process's pipe stops the server and removes
        // its directory (without the trap, a stop killed the shell and left the server running).
        let script = """
            \(server) </dev/null & pid=$!
            trap 'kill $pid 2>/dev/null; wait $pid; rm -rf \(directory); exit 0' TERM
            exec 3<&0
            cat <&3 >/dev/null & held=$!
            while kill -0 $held 2>/dev/null && kill -0 $pid 2>/dev/null; do wait -n; done
            kill $pid 2>/dev/null; wait $pid; rm -rf '\(directory)'
            """
        let process = try ChildProcess.start("/bin/bash", ["-c", script], environment: ["PATH": "/usr/bin:/bin", "HOME": directory],
                                             holdingInput: true)
        let result = PrometheusServer(url: "http://127.0.0.1:\(port)", process: process)
        let ready = try await within(.seconds(60), "Prometheus to be ready") {
            while true {
                if let answer = try? await HTTPGet.fetch(result.url + "/-/ready"), answer.status == 200 { return true }
                if process.hasExited { return false }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        guard ready else { throw ChildProcess.Failure(description: "Prometheus did not start: \(process.stderrTail)") }
        return result
    }

    /// The result of a PromQL instant query (`data.result`: each series' `metric` and `value`).
    public func query(_ promQL: String) async throws -> [JSON] {
        let encoded = promQL.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? promQL
        let answer = try await HTTPGet.fetch(url + "/api/v1/query?query=" + encoded)
        let document = try JSONParser.parse(answer.body)
        guard document["status"] == "success" else { throw ChildProcess.Failure(description: "Prometheus: \(promQL): \(answer.body)") }
        return document["data"]?["result"]?.arrayValue ?? []
    }

    /// The value of a query that yields one series (nil: none yet).
    public func value(_ promQL: String) async throws -> Double? {
        guard let series = try await query(promQL).first, let text = series["value"]?[1]?.stringValue else { return nil }
        return Double(text)
    }

    /// Stops the server and removes its directory.
    public func stop() async {
        _ = await process.kill(SIGTERM)
    }
}

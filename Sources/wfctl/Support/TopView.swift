import WorkflowClient
import WorkflowJSON
import WorkflowProtocol

/// One screen of `wfctl top`, made from a reading of the daemon (and the one before, for rates).
struct TopView {
    /// What the daemon said at one moment.
    struct Reading {
        var time: Double
        var status: DaemonMethods.Status.Result
        var samples: [MetricSample]
        var requests: [RequestInfo]
        /// Runs in progress, longest running first.
        var active: [RunInfo]

        static func take(_ client: WorkflowClient) async throws -> Reading {
            let status = try await client.status()
            let samples = MetricSample.parse(try await client.metrics())
            let requests = try await client.requests()
            let active = try await client.runs(withStatus: .inProgress, limit: 100).sorted { ($0.startedAt ?? "") < ($1.startedAt ?? "") }
            return Reading(time: Timestamp.now(), status: status, samples: samples, requests: requests, active: active)
        }

        func total(_ name: String, _ labels: [String: String] = [:]) -> Double { samples.sum(name, labels) }
    }

    let reading: Reading
    let previous: Reading?
    let terminal: Terminal
    let rows: Int

    /// Per second since the last reading (nil on the first).
    func rate(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        guard let previous, reading.time > previous.time else { return nil }
        return max(0, reading.total(name, labels) - previous.total(name, labels)) / (reading.time - previous.time)
    }

    /// The mean of a histogram over the last interval (over all time on the first reading), in seconds.
    func mean(_ histogram: String, _ labels: [String: String] = [:]) -> Double? {
        let sum = reading.total(histogram + "_sum", labels) - (previous?.total(histogram + "_sum", labels) ?? 0)
        let count = reading.total(histogram + "_count", labels) - (previous?.total(histogram + "_count", labels) ?? 0)
        return count > 0 ? sum / count : nil
    }

    static func number(_ value: Double?) -> String {
        guard let value else { return "-" }
        if value >= 100 || value == value.rounded() { return String(Int(value.rounded())) }
        return String(Double(Int(value * 10)) / 10)
    }

    static func milliseconds(_ seconds: Double?) -> String {
        guard let seconds else { return "-" }
        return seconds < 0.001 ? "\(Int(seconds * 1_000_000))µs" : String(Double(Int(seconds * 10_000)) / 10) + "ms"
    }

    /// Each definition seen in the metrics, by runs started (most first).
    var definitions: [String] {
        var started: [String: Double] = [:]
        for sample in reading.samples where sample.name == "workflowd_runs_started_total" {
            if let definition = sample.labels["definition"] { started[definition, default: 0] += sample.value }
        }
        return started.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map(\.key)
    }

    var lines: [String] {
        let status = reading.status
        let t = terminal
        var out: [String] = []
        out.append(t.styled("workflowd \(status.version)", .bold) + " — up \(Time.duration(status.uptimeSeconds)) (pid \(status.pid))"
                   + (status.host.map { ", host \($0)" } ?? ""))
        out.append("instances \(status.instancesLoaded) loaded, \(status.instancesStored) stored   runs \(status.activeRuns) active   "
                   + "requests \(reading.requests.count) open   connections \(status.connections) (\(status.subscriptions) subscriptions)")
        let per = previous == nil ? "" : "/s"
        let started = rate("workflowd_runs_started_total") ?? reading.total("workflowd_runs_started_total")
        let finished = rate("workflowd_runs_finished_total") ?? reading.total("workflowd_runs_finished_total")
        let commits = rate("workflowd_commits_total") ?? reading.total("workflowd_commits_total")
        let calls = rate("workflowd_rpc_requests_total") ?? reading.total("workflowd_rpc_requests_total")
        out.append("runs \(Self.number(started))\(per) started, \(Self.number(finished))\(per) ended   "
                   + "commits \(Self.number(commits))\(per), \(Self.milliseconds(mean("workflowd_commit_duration_seconds"))) each   "
                   + "calls \(Self.number(calls))\(per), \(Self.milliseconds(mean("workflowd_rpc_duration_seconds"))) each")
        out.append("")
        var table = Table("DEFINITION", "STARTED", "FAILED", "SUPERSTEPS", "SUPERSTEP")
        for definition in definitions {
            let labels = ["definition": definition]
            table.add(definition, Self.number(rate("workflowd_runs_started_total", labels) ?? reading.total("workflowd_runs_started_total", labels)) + per,
                      Self.number(reading.total("workflowd_runs_finished_total", ["definition": definition, "status": "failed"])),
                      Self.number(rate("workflowd_supersteps_total", labels) ?? reading.total("workflowd_supersteps_total", labels)) + per,
                      Self.milliseconds(mean("workflowd_superstep_duration_seconds", labels)))
        }
        out += table.render(t).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        out.append("")
        if !reading.active.isEmpty {
            var running = Table("RUNNING", "INSTANCE", "RUN", "TRIGGER")
            for run in reading.active.prefix(max(3, (rows - out.count) / 3)) {
                let age = run.startedAt.flatMap { try? Timestamp.parse($0) }.map { Time.duration(max(0, reading.time - $0)) } ?? "-"
                running.add(age, run.instance, run.runId, run.trigger?.rawValue ?? "-")
            }
            out += running.render(t).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            out.append("")
        }
        // What fits of the open requests, oldest first.
        let room = max(3, rows - out.count - 2)
        var requests = Table("WAITING", "INSTANCE", "REQUEST", "EXECUTOR")
        let oldest = reading.requests.sorted { $0.time < $1.time }
        for request in oldest.prefix(room) {
            let age = (try? Timestamp.parse(request.time)).map { Time.duration(max(0, reading.time - $0)) } ?? "-"
            requests.add(age, request.instance, request.id, request.executor)
        }
        out += requests.render(t).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if oldest.count > room { out.append(t.styled("… and \(oldest.count - room) more (wfctl pending)", .dim)) }
        return out
    }

    /// The same as one JSON line (`--json`): the numbers, not the layout.
    var json: JSON {
        var definitions: [JSON] = []
        for definition in self.definitions {
            let labels = ["definition": definition]
            definitions.append(["definition": .string(definition),
                                "runsStarted": .number(reading.total("workflowd_runs_started_total", labels)),
                                "runsFailed": .number(reading.total("workflowd_runs_finished_total", ["definition": definition, "status": "failed"])),
                                "supersteps": .number(reading.total("workflowd_supersteps_total", labels))])
        }
        var object: JSONObject = [
            "time": .string(Timestamp.format(reading.time)),
            "instancesLoaded": .number(Double(reading.status.instancesLoaded)),
            "instancesStored": .number(Double(reading.status.instancesStored)),
            "activeRuns": .number(Double(reading.status.activeRuns)),
            "running": .array(reading.active.map { ["instance": .string($0.instance), "runId": .string($0.runId), "startedAt": $0.startedAt.map(JSON.string) ?? .null] }),
            "openRequests": .number(Double(reading.requests.count)),
            "commits": .number(reading.total("workflowd_commits_total")),
            "definitions": .array(definitions),
            "requests": .array(reading.requests.sorted { $0.time < $1.time }.map {
                ["instance": .string($0.instance), "id": .string($0.id), "executor": .string($0.executor), "time": .string($0.time)]
            }),
        ]
        if let rate = rate("workflowd_commits_total") { object["commitsPerSecond"] = .number(rate) }
        if let mean = mean("workflowd_commit_duration_seconds") { object["commitSeconds"] = .number(mean) }
        return .object(object)
    }
}

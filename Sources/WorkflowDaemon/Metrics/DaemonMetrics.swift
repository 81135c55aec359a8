import Prometheus
import WorkflowConcurrency

/// The daemon's metrics (DESIGN.md §11), kept in a Prometheus registry of its own and rendered in
/// the text exposition format for `daemon.metrics`, `wfctl metrics` and the HTTP endpoint.
///
/// What happens is counted as it happens (runs, supersteps, commits, calls); what the daemon
/// holds (instances, connections, open requests) is read when the metrics are asked for, from a
/// ``DaemonMetricsSnapshot``, so that nothing is counted twice or drifts.
///
/// Labels are bounded: method names come from the dispatcher's table, statuses from the run
/// statuses, and definition names from the definitions directory, of which at most
/// ``definitionLabelLimit`` are told apart (the rest count as `other`). Instance names and ids
/// are never labels: they would grow without end.
final class DaemonMetrics: Sendable {
    /// The registry the exposition is made from.
    let registry = PrometheusCollectorRegistry()
    /// Definition names told apart in labels; beyond it, `other`.
    static let definitionLabelLimit = 500
    private let definitionLabels = Locked<Set<String>>([])
    /// Each method's and outcome's counter and histogram, made once.
    private let calls = Locked<[CallKey: (Counter, DurationHistogram)]>([:])
    /// Each definition's and status's count of finished runs, made once.
    private let finishes = Locked<[String: Counter]>([:])
    /// Tokens and calls of `llm` steps, by definition, step and kind.
    private let llmCounters = Locked<[String: Counter]>([:])
    /// Series of `llm` counters kept; steps beyond share the executor label `other`.
    static let llmSeriesLimit = 1_000

    private let commitDuration: DurationHistogram
    private let commitBatchSize: ValueHistogram
    private let commits: Counter
    private let instancesLoaded: Gauge
    private let instancesStored: Gauge
    private let activeRuns: Gauge
    private let openRequests: Gauge
    private let oldestOpenRequest: Gauge
    private let connections: Gauge
    private let subscriptions: Gauge
    private let definitions: Gauge
    private let timersArmed: Gauge
    private let startTime: Gauge

    /// Superstep times: from a millisecond to a minute.
    static let superstepBuckets: [Duration] = [.microseconds(100), .microseconds(500), .milliseconds(1), .milliseconds(5), .milliseconds(10),
                                               .milliseconds(50), .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5),
                                               .seconds(10), .seconds(60)]
    /// Commit times: a WAL commit takes tens of microseconds, a PostgreSQL one a millisecond.
    static let commitBuckets: [Duration] = [.microseconds(25), .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500),
                                            .milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                                            .milliseconds(100), .seconds(1)]
    /// JSON-RPC calls: from a ping to a `run.wait` that waited.
    static let callBuckets: [Duration] = [.microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
                                          .milliseconds(5), .milliseconds(25), .milliseconds(100), .seconds(1), .seconds(10), .seconds(60)]

    init(startedAt: Double) {
        func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(namespace: "workflowd", metricName: metric, unitName: unit, helpText: help)
        }
        commitDuration = registry.makeDurationHistogram(
            descriptor: name("commit_duration", "seconds", "Time one store transaction took (a group commit of one or more instances' batches)."),
            buckets: Self.commitBuckets)
        commitBatchSize = registry.makeValueHistogram(
            descriptor: name("commit_batch", "size", "Instances whose batches one store transaction carried (group commit)."),
            buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256])
        commits = registry.makeCounter(descriptor: name("commits", "total", "Store transactions committed or attempted."))
        instancesLoaded = registry.makeGauge(descriptor: name("instances_loaded", "", "Instances held in memory."))
        instancesStored = registry.makeGauge(descriptor: name("instances_stored", "", "Instances in the store."))
        activeRuns = registry.makeGauge(descriptor: name("active_runs", "", "Runs in progress in the loaded instances."))
        openRequests = registry.makeGauge(descriptor: name("open_requests", "", "Requests for a person open in the loaded instances."))
        oldestOpenRequest = registry.makeGauge(
            descriptor: name("oldest_open_request_age", "seconds", "How long the oldest open request of the loaded instances has waited (0: none)."))
        connections = registry.makeGauge(descriptor: name("connections", "", "Client connections open on the socket."))
        subscriptions = registry.makeGauge(descriptor: name("subscriptions", "", "Event subscriptions open."))
        definitions = registry.makeGauge(descriptor: name("definitions", "", "Workflow definitions loaded from the definitions directory."))
        timersArmed = registry.makeGauge(descriptor: name("timers_armed", "", "Waits armed in the loaded instances (timers and signals)."))
        startTime = registry.makeGauge(descriptor: name("start_time", "seconds", "When the daemon started, in seconds since the Unix epoch."))
        startTime.set(startedAt)
    }

    // MARK: Counted as it happens

    /// The label for definition `name`: itself, or `other` once ``definitionLabelLimit`` are in use.
    func definitionLabel(_ name: String) -> String {
        definitionLabels.withLock { labels in
            if labels.contains(name) { return name }
            guard labels.count < Self.definitionLabelLimit else { return "other" }
            labels.insert(name)
            return name
        }
    }

    /// The counters and histogram of one definition's runs (an instance's observer holds them).
    func runMetrics(definition: String) -> RunMetrics {
        let label = definitionLabel(definition)
        return RunMetrics(
            label: label,
            started: registry.makeCounter(descriptor: .init(namespace: "workflowd", metricName: "runs_started", unitName: "total",
                                                            helpText: "Runs started (by an input, a response, a timer, a signal, a retry or a schedule)."),
                                          labels: [("definition", label)]),
            superstep: registry.makeDurationHistogram(
                descriptor: .init(namespace: "workflowd", metricName: "superstep_duration", unitName: "seconds",
                                  helpText: "Time from a superstep's start to its end, its executors' work included."),
                labels: [("definition", label)], buckets: Self.superstepBuckets),
            supersteps: registry.makeCounter(descriptor: .init(namespace: "workflowd", metricName: "supersteps", unitName: "total",
                                                               helpText: "Supersteps completed."),
                                             labels: [("definition", label)]),
            metrics: self)
    }

    /// A run of a definition (its label) ended with `status`.
    func runFinished(label: String, status: String) {
        let key = "\(label)\u{0}\(status)"
        let counter = finishes.withLock { finishes in
            if let known = finishes[key] { return known }
            let made = registry.makeCounter(descriptor: .init(namespace: "workflowd", metricName: "runs_finished", unitName: "total",
                                                              helpText: "Runs that ended, by the status they left the instance in."),
                                            labels: [("definition", label), ("status", status)])
            finishes[key] = made  // bounded: definition labels times the six statuses
            return made
        }
        counter.increment()
    }

    /// A model answered an `llm` step of a definition (its label): one call, and its tokens.
    func modelAnswered(label: String, executor: String, promptTokens: Int, completionTokens: Int) {
        func counter(_ name: String, _ help: String, _ extra: [(String, String)]) -> Counter {
            llmCounters.withLock { counters in
                var step = executor
                var key = ([name, label, step] + extra.map(\.1)).joined(separator: "\u{0}")
                if counters[key] == nil && counters.count >= Self.llmSeriesLimit {
                    step = "other"
                    key = ([name, label, step] + extra.map(\.1)).joined(separator: "\u{0}")
                }
                if let known = counters[key] { return known }
                let made = registry.makeCounter(descriptor: .init(namespace: "workflowd", metricName: name, unitName: "total", helpText: help),
                                                labels: [("definition", label), ("executor", step)] + extra)
                counters[key] = made
                return made
            }
        }
        counter("llm_calls", "Answers of models to llm steps.", []).increment()
        let tokens = "Tokens llm steps used, as the model server counted them (type: prompt or completion)."
        counter("llm_tokens", tokens, [("type", "prompt")]).increment(by: Int64(max(0, promptTokens)))
        counter("llm_tokens", tokens, [("type", "completion")]).increment(by: Int64(max(0, completionTokens)))
    }

    /// A store transaction carrying `instances` instances' batches took `duration`.
    func committed(instances: Int, duration: Duration) {
        commits.increment()
        commitDuration.record(duration)
        commitBatchSize.record(Double(instances))
    }

    /// A JSON-RPC call of `method` (one the daemon serves) was answered after `duration`, with
    /// a result (`code` 0) or the error `code`.
    func called(_ method: String, code: Int, duration: Duration) {
        let key = CallKey(method: method, code: code)
        // The registry checks and escapes label values on every lookup: cached here, a call
        // costs two atomic updates (methods and codes are both a fixed, small set).
        let (counter, histogram) = calls.withLock { calls in
            if let known = calls[key] { return known }
            let made = (registry.makeCounter(descriptor: .init(namespace: "workflowd", metricName: "rpc_requests", unitName: "total",
                                                               helpText: "JSON-RPC requests answered, by method and outcome (ok or error, with the error's code; 0 for ok)."),
                                             labels: [("method", method), ("outcome", code == 0 ? "ok" : "error"), ("code", String(code))]),
                        registry.makeDurationHistogram(descriptor: .init(namespace: "workflowd", metricName: "rpc_duration", unitName: "seconds",
                                                                         helpText: "Time from a JSON-RPC request's decoding to its answer, by method."),
                                                       labels: [("method", method)], buckets: Self.callBuckets))
            if calls.count < 4096 { calls[key] = made }
            return made
        }
        counter.increment()
        histogram.record(duration)
    }

    private struct CallKey: Hashable {
        var method: String
        var code: Int
    }

    // MARK: Read when asked

    /// The exposition (Prometheus text format 0.0.4), with what the daemon holds now.
    func exposition(_ snapshot: DaemonMetricsSnapshot) -> String {
        instancesLoaded.set(Double(snapshot.instancesLoaded))
        instancesStored.set(Double(snapshot.instancesStored))
        activeRuns.set(Double(snapshot.activeRuns))
        openRequests.set(Double(snapshot.openRequests))
        oldestOpenRequest.set(snapshot.oldestOpenRequestAge)
        connections.set(Double(snapshot.connections))
        subscriptions.set(Double(snapshot.subscriptions))
        definitions.set(Double(snapshot.definitions))
        timersArmed.set(Double(snapshot.timersArmed))
        return registry.emitToString()
    }
}

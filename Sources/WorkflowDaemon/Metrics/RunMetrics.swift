import Prometheus
import WorkflowConcurrency
import WorkflowEngine

/// One instance's observer: counts its runs and supersteps under its definition's label, from
/// the events it commits (so what is counted is what the log holds).
final class RunMetrics: InstanceObserver {
    let label: String
    private let started: Counter
    private let superstep: DurationHistogram
    private let supersteps: Counter
    private let metrics: DaemonMetrics
    /// When the superstep in progress started (its `superstep_started` event's time).
    private let superstepStart = Locked<Double?>(nil)

    init(label: String, started: Counter, superstep: DurationHistogram, supersteps: Counter, metrics: DaemonMetrics) {
        self.label = label
        self.started = started
        self.superstep = superstep
        self.supersteps = supersteps
        self.metrics = metrics
    }

    func delivered(_ events: [WorkflowEvent]) {
        for event in events {
            switch event.body {
            case .runStarted:
                started.increment()
            case .superstepStarted:
                superstepStart.withLock { $0 = event.time }
            case .superstepCompleted:
                supersteps.increment()
                if let start = superstepStart.withLock({ $0.take() }) {
                    superstep.record(Duration.nanoseconds(Int64(max(0, event.time - start) * 1e9)))
                }
            case .llmMessage(let executor, let message):
                metrics.modelAnswered(label: label, executor: executor, promptTokens: message["usage"]?["promptTokens"]?.intValue ?? 0,
                                      completionTokens: message["usage"]?["completionTokens"]?.intValue ?? 0)
            case .status(let status) where event.runID != nil && status != .inProgress:
                // A run's end: the status it left the instance in.
                metrics.runFinished(label: label, status: status.rawValue)
            default:
                break
            }
        }
    }
}

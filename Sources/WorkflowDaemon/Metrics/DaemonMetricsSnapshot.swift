/// What the daemon holds at the moment the metrics are asked for (the gauges of
/// ``DaemonMetrics``).
struct DaemonMetricsSnapshot: Sendable {
    var instancesLoaded = 0
    var instancesStored = 0
    var activeRuns = 0
    var openRequests = 0
    /// Seconds the oldest open request has waited (0: none open).
    var oldestOpenRequestAge = 0.0
    var connections = 0
    var subscriptions = 0
    var definitions = 0
    var timersArmed = 0
}

import WorkflowConcurrency

/// What a ``SQLStore``'s rules keep beside its database: the configuration, the run ends that
/// decide when retention runs, and who is told of changed wakes.
public final class SQLStoreState: Sendable {
    /// Retention limits and durability.
    public let configuration: StoreConfiguration
    /// Run ends per instance since its last retention pass (see ``SQLStore/pruneTurn(_:)``).
    let runEnds = Locked<[String: Int]>([:])
    /// Told, after each commit, which instances' soonest wait changed (see ``SQLStore/observeWakes(_:)``).
    let wakeObserver = Locked<(@Sendable ([String: Double?]) -> Void)?>(nil)

    /// State for a store with `configuration`.
    public init(configuration: StoreConfiguration) { self.configuration = configuration }
}

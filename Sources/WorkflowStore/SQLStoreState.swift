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
    /// The epoch under which this host owns each instance it has claimed (several hosts only):
    /// every commit of an instance checks it against the database's.
    let epochs = Locked<[String: Int64]>([:])
    /// Instances whose log another host reads for a subscriber, and until when their commits
    /// announce new events (bounded: past 10,000, the expired are dropped, then all).
    let watched = Locked<[String: ContinuousClock.Instant]>([:])
    /// Told of an instance whose commit was refused because another host owns it now.
    let fenceObserver = Locked<(@Sendable (String) -> Void)?>(nil)

    /// State for a store with `configuration`.
    public init(configuration: StoreConfiguration) { self.configuration = configuration }
}

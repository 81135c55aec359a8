import Logging
import WorkflowStore

/// This host among those that share a PostgreSQL database (DESIGN.md §12): every third of the
/// lease it records its heartbeat, frees the instances of hosts whose lease ran out, takes up
/// those that need recovery and no live host owns (runs resume here, as after a crash), and
/// releases what it has not used for a while.
///
/// It beats on while the daemon stops (suspending runs may take longer than the lease) until
/// ``leave()`` hands this host's instances over.
///
/// It logs a takeover, and a heartbeat that fails (once, then once when it works again): an idle
/// host's journal stays quiet.
actor HostService {
    let store: any InstanceStore
    let registry: InstanceRegistry
    let lease: Duration
    let idleRelease: Duration
    let logger: Logger
    /// Dead hosts' instances freed per pass (the rest in the next).
    static let freeLimit = 1000
    /// Instances taken up per pass.
    static let takeUpLimit = 100
    /// Whether this host has left (the daemon stops): no more heartbeats.
    private var left = false

    init(store: any InstanceStore, registry: InstanceRegistry, lease: Duration, idleRelease: Duration, logger: Logger) {
        self.store = store
        self.registry = registry
        self.lease = lease
        self.idleRelease = idleRelease
        self.logger = logger
    }

    /// A clean stop, once runs are suspended: the heartbeat ends, and this host's instances and
    /// its row are released, so the others take the suspended runs up now, not after the lease.
    func leave() async {
        left = true
        do {
            try await store.leave()
        } catch {
            logger.warning("could not hand this host's instances over; the other hosts take them once the lease has passed",
                           metadata: ["error": "\(error)"])
        }
    }

    /// Beats until this host leaves.
    func run() async {
        var failing = false
        while !left && !Task.isCancelled {
            do {
                try await store.heartbeat()
                if failing {
                    logger.notice("this host's heartbeat is recorded again")
                    failing = false
                }
                let freed = try await store.freeDeadHostsInstances(limit: Self.freeLimit)
                let taken = await registry.takeUp(try await store.unownedNeedingRecovery(limit: Self.takeUpLimit))
                if freed > 0 || taken > 0 {
                    logger.notice("took over the work of hosts that stopped or died",
                                  metadata: ["instances.freed": "\(freed)", "instances.recovered": "\(taken)"])
                }
                await registry.releaseIdle(after: idleRelease)
            } catch {
                if !failing {
                    logger.warning("could not record this host's heartbeat; once the lease has passed, other hosts take its instances over",
                                   metadata: ["error": "\(error)", "lease": "\(lease)"])
                    failing = true
                }
            }
            try? await Task.sleep(for: lease / 3)
        }
    }
}

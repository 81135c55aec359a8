import Logging
import WorkflowConcurrency
import WorkflowEngine
import WorkflowProtocol
import WorkflowStore

/// Fires instances' waits when they come due. It holds in memory only the instances due within
/// the horizon (``TimerSchedule``): it reads them from the store (each instance's soonest wait
/// is indexed there), again every half horizon, and the store tells it after every commit whose
/// soonest wait changed. It sleeps until the soonest, then fires each due instance's waits on the
/// instance itself (loading it if it was evicted), a few instances at once. A wait that came due
/// while the daemon was down fires at the first pass after start.
///
/// It logs only what goes wrong: an idle daemon's journal stays quiet.
final class TimerService: Sendable {
    let store: any InstanceStore
    let registry: InstanceRegistry
    let clock: any WorkflowClock
    let logger: Logger
    /// How far ahead waits are held in memory.
    let horizon: Double
    /// Instances fired at once.
    let concurrency: Int
    private let schedule: Locked<TimerSchedule>
    private let alarm = Alarm()

    /// Root acts for the daemon itself.
    static let daemonPeer = Peer(pid: 0, uid: 0, gid: 0)
    /// How soon an instance that was busy (a reset in progress) is tried again.
    static let busyRetry = 0.25
    /// How soon an instance whose fire failed otherwise (the store) is tried again.
    static let failureRetry = 5.0

    init(store: any InstanceStore, registry: InstanceRegistry, clock: any WorkflowClock = SystemClock(), logger: Logger,
         horizon: Double = 60, capacity: Int = 10_000, concurrency: Int = 32) {
        self.store = store
        self.registry = registry
        self.clock = clock
        self.logger = logger
        self.horizon = horizon
        self.concurrency = max(1, concurrency)
        schedule = Locked(TimerSchedule(horizon: horizon, capacity: capacity))
        store.observeWakes { [weak self] changes in self?.changed(changes) }
    }

    /// What the store's commits changed (called on its writer: only hands off).
    func changed(_ changes: [String: Double?]) {
        let now = clock.now()
        schedule.withLock { schedule in
            for (instance, due) in changes { schedule.set(instance, to: due, now: now) }
        }
        ring()
    }

    private func ring() { alarm.ring() }

    /// Fires waits until the task is cancelled (the daemon stops).
    func run() async {
        await alarm.loop(clock: clock, refreshInterval: horizon / 2, refresh: refresh) {
            let due = schedule.withLock { $0.takeDue(now: clock.now()) }
            if !due.isEmpty { await fire(due) }
            return schedule.withLock { $0.nextDue() }
        }
    }

    /// Reads the instances due within the horizon from the store.
    private func refresh() async {
        let now = clock.now()
        do {
            let rows = try await store.instancesWaking(through: now + horizon, limit: schedule.withLock { $0.capacity })
            schedule.withLock { schedule in
                for row in rows { schedule.set(row.instance, to: row.due, now: now) }
            }
        } catch {
            logger.error("could not read the waits due soon; trying again", metadata: ["error": "\(error)"])
        }
    }

    /// Fires the due waits of `instances`, a few at once, and those that come due meanwhile:
    /// each free slot takes the next due instance, so a burst is a pipeline, not rounds.
    private func fire(_ instances: [String]) async {
        await withTaskGroup(of: Void.self) { group in
            var waiting = instances[...]
            var running = 0
            while true {
                if waiting.isEmpty {
                    waiting = schedule.withLock { $0.takeDue(now: clock.now()) }[...]
                }
                if let instance = waiting.first, running < concurrency {
                    waiting = waiting.dropFirst()
                    group.addTask { await self.fire(instance) }
                    running += 1
                    continue
                }
                guard running > 0 else { return }
                await group.next()
                running -= 1
            }
        }
    }

    /// Fires one instance's due waits, then holds its next one (read from the instance itself,
    /// which no stale read of the store can contradict).
    private func fire(_ name: String) async {
        let next: Double?
        do {
            let lease = try await registry.acquire(name, peer: Self.daemonPeer)
            do {
                try await lease.instance.fireDueWaits()
            } catch {
                await registry.release(lease)
                throw error
            }
            next = await lease.instance.nextWaitDue
            await registry.release(lease)
        } catch let error as DaemonError where error.rpcError.code == .instanceNotFound || error.rpcError.code == .shuttingDown
                                            || error.rpcError.code == .instanceElsewhere {
            // Deleted meanwhile (its waits went with it), the daemon stops (they fire after the
            // restart), or another host owns it (that host fires them; should it die, its
            // successor reads them from the store).
            return
        } catch let error as WorkflowError where error.code == .instanceBusy {
            schedule.withLock { $0.set(name, to: clock.now() + Self.busyRetry, now: clock.now()) }
            return
        } catch {
            logger.warning("could not fire an instance's waits; trying again", metadata: ["instance": "\(name)", "error": "\(error)"])
            schedule.withLock { $0.set(name, to: clock.now() + Self.failureRetry, now: clock.now()) }
            return
        }
        schedule.withLock { $0.set(name, to: next, now: clock.now()) }
    }
}

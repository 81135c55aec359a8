import Logging
import WorkflowCalendar
import WorkflowConcurrency
import WorkflowDefinitions
import WorkflowEngine
import WorkflowProtocol
import WorkflowStore

/// Fires schedules (DESIGN.md §10). Each stored schedule keeps the nominal time of its next
/// fire not yet taken, indexed; the service holds in memory only those due within the horizon
/// (a ``TimerSchedule`` keyed by schedule name), reads them again every half horizon, and sleeps
/// until the soonest. A fire starts its run with the idempotency key `schedule:NAME:TIME`
/// before the schedule's next time is recorded, so a crash between the two fires the same
/// time again and finds its run: one run per time.
///
/// Fires missed while the daemon was down are caught up as the schedule says (`none`,
/// `latest`, `all` within its window); a fire taken up to a minute (plus its jitter) late is on
/// time, not missed.
final class ScheduleService: Sendable {
    let store: any InstanceStore
    let instances: InstanceService
    let clock: any WorkflowClock
    let logger: Logger
    /// Where time zones are read.
    let zoneDirectory: String
    /// How far ahead schedules are held in memory.
    let horizon: Double
    /// Schedules fired at once.
    let concurrency: Int
    let due: Locked<TimerSchedule>
    private let alarm = Alarm()

    /// How late a fire may be taken and still count as on time.
    static let onTimeGrace = 60.0
    /// How many next fire times a schedule's description lists.
    static let nextFiresShown = 3
    /// How soon a schedule whose fire failed (the store) is tried again.
    static let failureRetry = 5.0

    init(store: any InstanceStore, instances: InstanceService, clock: any WorkflowClock = SystemClock(), logger: Logger,
         zoneDirectory: String = ZoneInfo.systemDirectory, horizon: Double = 60, capacity: Int = 10_000, concurrency: Int = 16) {
        self.store = store
        self.instances = instances
        self.clock = clock
        self.logger = logger
        self.zoneDirectory = zoneDirectory
        self.horizon = horizon
        self.concurrency = max(1, concurrency)
        due = Locked(TimerSchedule(horizon: horizon, capacity: capacity))
    }

    /// Holds schedule `name`'s next fire at `time` (nil: none) and wakes the loop.
    func hold(_ name: String, at time: Double?) {
        let now = clock.now()
        due.withLock { $0.set(name, to: time, now: now) }
        alarm.ring()
    }

    /// Fires schedules until the task is cancelled (the daemon stops).
    func run() async {
        await alarm.loop(clock: clock, refreshInterval: horizon / 2, refresh: refresh) {
            let names = due.withLock { $0.takeDue(now: clock.now()) }
            for batch in stride(from: 0, to: names.count, by: concurrency) {
                await withTaskGroup(of: Void.self) { group in
                    for name in names[batch..<min(names.count, batch + concurrency)] {
                        group.addTask { await self.fireDue(name) }
                    }
                }
            }
            return due.withLock { $0.nextDue() }
        }
    }

    /// Reads the schedules due within the horizon from the store.
    private func refresh() async {
        let now = clock.now()
        do {
            let rows = try await store.schedulesDue(through: now + horizon, limit: due.withLock { $0.capacity })
            due.withLock { due in
                for row in rows { due.set(row.name, to: row.due, now: now) }
            }
        } catch {
            logger.error("could not read the schedules due soon; trying again", metadata: ["error": "\(error)"])
        }
    }

    /// Takes schedule `name`'s due fires: on time, or the missed ones its catch-up keeps;
    /// records its next time and holds it.
    private func fireDue(_ name: String) async {
        do {
            guard let stored = try await store.schedule(named: name), !stored.paused, let nominal = stored.nextFire else { return }
            let spec = try parse(stored)
            let now = clock.now()
            // Jitter delays the fire past its time by the fire's own share.
            let first = Int(nominal)
            if now < nominal + spec.delay(for: first) {
                hold(name, at: nominal + spec.delay(for: first))
                return
            }
            // Only fires within the catch-up window (or on time) can be taken: list those, the
            // latest ones, however long the daemon was away.
            let reach = max(Double(spec.catchUpWindow), Self.onTimeGrace + Double(spec.jitter))
            let times = spec.cadence.lastFires(in: max(first, Int(now - reach))...Int(now), limit: ScheduleSpec.catchUpLimit)
            var last: JSON?
            for time in Self.firesToTake(times, spec: spec, now: now) {
                let fired = await fire(spec, owner: stored.ownerUID, at: time, overlap: spec.overlap)
                if stopping { return }
                // Another host owns the instance (several hosts): that host takes this fire and
                // records it; this one looks again later (the stored next fire has moved on by then).
                if fired.outcome == Self.elsewhere {
                    hold(name, at: clock.now() + Self.failureRetry)
                    return
                }
                last = fired.json
            }
            if let skipped = times.last, last == nil {
                logger.info("schedule fires missed while the daemon was down were not caught up (catchUp \(spec.catchUp.rawValue))",
                            metadata: ["schedule": "\(name)", "latest": "\(Timestamp.format(Double(skipped)))"])
            }
            // The daemon stops: what this pass did not record is taken again after the restart
            // (a run it started is found by its key), never recorded as failed.
            if stopping { return }
            let next = spec.cadence.next(after: max(Int(now), times.last ?? first - 1)).map(Double.init)
            try await store.recordScheduleFire(name: name, nextFire: next, lastFire: last)
            hold(name, at: next)
        } catch {
            logger.warning("could not fire a schedule; trying again", metadata: ["schedule": "\(name)", "error": "\(error)"])
            hold(name, at: clock.now() + Self.failureRetry)
        }
    }

    /// A fire not taken because another host owns the schedule's instance (never recorded).
    static let elsewhere = "elsewhere"

    /// Whether the daemon stops (the loop is cancelled, or instances are no longer loaded).
    private var stopping: Bool { Task.isCancelled || !instances.registry.lifecycle.loadsInstances }

    /// Which of the due `times` to fire at `now`: one taken within the grace is on time; older
    /// ones were missed, and the catch-up policy keeps none, the latest, or all within the window.
    static func firesToTake(_ times: [Int], spec: ScheduleSpec, now: Double) -> [Int] {
        guard let latest = times.last else { return [] }
        if times.count == 1, now - Double(latest) <= onTimeGrace + Double(spec.jitter) { return times }
        let window = times.filter { now - Double($0) <= Double(spec.catchUpWindow) }
        switch spec.catchUp {
        case .none: return []
        case .latest: return window.suffix(1)
        case .all: return Array(window.suffix(ScheduleSpec.catchUpLimit))
        }
    }

    /// Starts the run of one fire (for `time`) with `overlap`, as the schedule's owner; what it did.
    func fire(_ spec: ScheduleSpec, owner: UInt32, at time: Int, overlap: ScheduleSpec.Overlap) async -> ScheduleInfo.Fire {
        let scheduledFor = Timestamp.format(Double(time))
        let peer = Peer(pid: 0, uid: owner, gid: owner)
        do {
            let (runID, disposition) = try await instances.startScheduledRun(spec, key: spec.idempotencyKey(for: Double(time)),
                                                                             overlap: overlap, by: peer)
            let outcome = switch disposition {
            case .queued: "queued"
            case .existing: "existing"
            case .started, .continued: "started"
            }
            return ScheduleInfo.Fire(scheduledFor: scheduledFor, firedAt: Timestamp.format(clock.now()), outcome: outcome, runId: runID)
        } catch let error as WorkflowError where error.code == .instanceBusy {
            return ScheduleInfo.Fire(scheduledFor: scheduledFor, firedAt: Timestamp.format(clock.now()), outcome: "skipped",
                                     error: error.message)
        } catch let error as DaemonError where error.rpcError.code == .instanceElsewhere {
            return ScheduleInfo.Fire(scheduledFor: scheduledFor, firedAt: Timestamp.format(clock.now()), outcome: Self.elsewhere,
                                     error: error.rpcError.message)
        } catch let error as DaemonError where error.rpcError.code == .shuttingDown {
            // Not a failure of the schedule: the fire is taken again after the restart.
            return ScheduleInfo.Fire(scheduledFor: scheduledFor, firedAt: Timestamp.format(clock.now()), outcome: "failed", error: error.rpcError.message)
        } catch {
            let message = (error as? any RPCErrorConvertible)?.rpcError.message ?? "\(error)"
            logger.warning("a schedule's fire could not start its run", metadata: [
                "schedule": "\(spec.name)", "instance": "\(spec.instance)", "scheduledFor": "\(scheduledFor)", "error": "\(message)",
            ])
            return ScheduleInfo.Fire(scheduledFor: scheduledFor, firedAt: Timestamp.format(clock.now()), outcome: "failed", error: message)
        }
    }

    /// The declaration a stored schedule holds, checked again (a time zone may have left the system).
    func parse(_ stored: StoredSchedule) throws -> ScheduleSpec {
        do {
            return try ScheduleSpec(parsing: stored.spec, zoneDirectory: zoneDirectory)
        } catch {
            throw DaemonError(.internalError, "schedule '\(stored.name)' cannot be read: \(error.description)", data: ["schedule": .string(stored.name)])
        }
    }
}

extension ScheduleInfo.Fire {
    /// As the store keeps it.
    var json: JSON {
        var object: JSONObject = ["scheduledFor": .string(scheduledFor), "firedAt": .string(firedAt), "outcome": .string(outcome)]
        if let runId { object["runId"] = .string(runId) }
        if let error { object["error"] = .string(error) }
        return .object(object)
    }

    /// As the store kept it.
    init?(json: JSON?) {
        guard let object = json?.objectValue, let scheduledFor = object["scheduledFor"]?.stringValue,
              let firedAt = object["firedAt"]?.stringValue, let outcome = object["outcome"]?.stringValue else { return nil }
        self.init(scheduledFor: scheduledFor, firedAt: firedAt, outcome: outcome, runId: object["runId"]?.stringValue,
                  error: object["error"]?.stringValue)
    }
}

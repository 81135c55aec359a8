import WorkflowEngine
import WorkflowJSON

/// What the daemon needs of a store besides the engine's ``CheckpointStore``: instances and who
/// owns them, the definition versions they pin, checkpoint labels, runs, retention, recovery,
/// and group commits across instances. Both backends, ``SQLiteStore`` and ``PostgresStore`` (for
/// several hosts on one database), are ``SQLStore``s and share its rules; the daemon sees only this.
///
/// Every rule of the engine's store holds here too: a commit is one transaction (a group commit
/// one transaction with a savepoint per instance's group), an event's seq is never reused, and
/// what a commit returned from is on disk.
public protocol InstanceStore: CheckpointStore {
    // MARK: Instances

    /// Registers a new instance (with several hosts, owned by this one from the start).
    /// - Throws: `WorkflowError(.instanceExists)` if the name is taken.
    func createInstance(_ record: InstanceRecord) async throws
    /// The instance named `name`, if there is one.
    func instance(named name: String) async throws -> InstanceRecord?
    /// A page of instances by name: those after `after`, at most `limit`, optionally only those
    /// of one owner or one definition.
    func instances(after: String?, limit: Int, owner: UInt32?, definition: String?) async throws -> [InstanceRecord]
    /// Instances whose last recorded status is one of `statuses`, at most `limit`.
    func instances(withStatus statuses: [InstanceStatus], limit: Int) async throws -> [InstanceRecord]
    /// How many instances are stored.
    func instanceCount() async throws -> Int
    /// Pauses instance `name` (`pause`: `{reason?, pausedAt}`) or, with nil, ends its pause. A
    /// paused instance is left out of recovery at start and of the waits due.
    func setPaused(instance name: String, pause: JSON?) async throws
    /// How many instances are paused.
    func pausedCount() async throws -> Int
    /// Deletes an instance with everything it has (checkpoints, events, runs, inbox, keys,
    /// queue); whether there was one.
    @discardableResult
    func deleteInstance(named name: String) async throws -> Bool

    // MARK: Definition versions

    /// Keeps the document of a definition version, so an instance that pins it can be loaded
    /// after the file changed or the daemon restarted.
    func saveDefinitionVersion(hash: String, name: String, file: String, document: JSON) async throws
    /// A kept definition version: its name, file and document.
    func definitionVersion(hash: String) async throws -> (name: String, file: String, document: JSON)?
    /// Moves instance `instance` to another definition version (a reset with upgrade).
    func setDefinitionHash(instance: String, hash: String) async throws

    // MARK: Checkpoints

    /// Labels checkpoint `id` of `instance` (a label names one checkpoint of an instance);
    /// whether the checkpoint exists.
    func label(checkpoint id: String, instance: String, as label: String) async throws -> Bool
    /// The checkpoint id a reference names (an id, or a label) in `instance`.
    func resolveCheckpoint(_ reference: String, instance: String) async throws -> String?
    /// Every label of `instance`'s checkpoints, by checkpoint id.
    func checkpointLabels(instance: String) async throws -> [String: String]
    /// Applies the retention rules to `instance` now; how many checkpoints were deleted.
    @discardableResult
    func prune(instance: String) async throws -> Int

    // MARK: Runs

    /// The runs of `instance` the store keeps, oldest first.
    func runs(instance: String) async throws -> [StoredRun]
    /// Runs with `status` across instances (only `owner`'s, if given), newest first, at most `limit`.
    func runs(withStatus status: String, owner: UInt32?, limit: Int) async throws -> [StoredRun]
    /// Run `id`, if the store keeps it.
    func run(id: String) async throws -> StoredRun?

    // MARK: Recovery

    /// What instance `name` was at the last commit (its head's state, open requests, inbox,
    /// keys, queue, interrupted run), or nil if there is no such instance.
    func recover(instance name: String) async throws -> RecoveredInstance?
    /// The instances a restart must take up: a run in progress, runs queued, responses accepted
    /// and not delivered; not the paused ones.
    func instancesNeedingRecovery() async throws -> [String]

    // MARK: Waits

    /// The instances whose soonest wait is due at `time` or before, soonest first, at most
    /// `limit`, with that wait's time; not the paused ones.
    func instancesWaking(through time: Double, limit: Int) async throws -> [(instance: String, due: Double)]
    /// Has `observer` told, after every commit, which instances' soonest wait changed and to what
    /// (nil: none armed any more). It is called on the store's writer, and must only hand off.
    func observeWakes(_ observer: @escaping @Sendable ([String: Double?]) -> Void)

    // MARK: Schedules

    /// Creates or replaces schedule `schedule.name` (its creation time is kept when it exists).
    func saveSchedule(_ schedule: StoredSchedule) async throws
    /// The schedule named `name`, if there is one.
    func schedule(named name: String) async throws -> StoredSchedule?
    /// A page of schedules by name: those after `after`, at most `limit`, optionally only one
    /// owner's, or one source's (`api`, `file` for every file's, or a file's path).
    func schedules(after: String?, limit: Int, owner: UInt32?, source: String?) async throws -> [StoredSchedule]
    /// Deletes schedule `name`; whether there was one.
    func deleteSchedule(named name: String) async throws -> Bool
    /// Records a fire: the next one not yet taken (kept nil while the schedule is paused) and,
    /// if given, what the last one did.
    func recordScheduleFire(name: String, nextFire: Double?, lastFire: JSON?) async throws
    /// The schedules whose next fire is at `time` or before, soonest first, at most `limit`.
    func schedulesDue(through time: Double, limit: Int) async throws -> [(name: String, due: Double)]

    // MARK: Hosts and ownership (several hosts on one database, DESIGN.md §12)

    /// This host's id when several hosts may share the database; nil when this store is the
    /// only one writing (then every instance is this host's, and the rest of this group is moot).
    var hostID: String? { get }
    /// Claims instance `name` for this host, raising its epoch, unless a live host owns it.
    func claim(instance name: String) async throws -> InstanceClaim
    /// Gives up this host's ownership of `name` (it was evicted, idle): the next host to use it claims it.
    func release(instance name: String) async throws
    /// Records that this host is alive (every third of the lease).
    func heartbeat() async throws
    /// Frees the instances of hosts whose heartbeat is older than the lease, at most `limit`,
    /// skipping those another host is freeing or committing (`FOR UPDATE SKIP LOCKED`); raises
    /// their epochs, so the dead host's commits are refused. Returns how many were freed.
    func freeDeadHostsInstances(limit: Int) async throws -> Int
    /// Instances that need recovery (as ``instancesNeedingRecovery()``) and that no other live
    /// host owns (this host's own are among them: after a restart under the same id, they are its to recover).
    func unownedNeedingRecovery(limit: Int) async throws -> [String]
    /// The hosts that share the database (empty with one writer).
    func hosts() async throws -> [HostRecord]
    /// The host that owns instance `name`, if one does (nil with one writer).
    func owner(of name: String) async throws -> String?
    /// Tells `observer` of each instance whose commit was refused because another host owns it.
    func observeFencing(_ observer: @escaping @Sendable (String) -> Void)
    /// A clean stop: releases every instance this host owns and removes its heartbeat, so the
    /// others take its work up at once rather than after the lease.
    func leave() async throws

    // MARK: Commands between hosts (DESIGN.md §12)

    /// Stores a request for `host`, which owns its instance, and notifies it; the command's id.
    func sendCommand(to host: String, instance: String, method: String, params: JSON?, uid: UInt32, gid: UInt32, pid: Int32,
                     hops: Int) async throws -> Int64
    /// Takes up to `limit` commands waiting for this host, oldest first (each taken once).
    func takeCommands(limit: Int) async throws -> [StoredCommand]
    /// Stores a command's answer (a JSON-RPC `{"result"}` or `{"error"}`) and notifies its origin.
    func answerCommand(_ command: StoredCommand, answer: JSON) async throws
    /// The answer to command `id`, once there is one.
    func commandAnswer(_ id: Int64) async throws -> JSON?
    /// Removes command `id` unless it has been answered; whether it was removed.
    func withdrawCommand(_ id: Int64) async throws -> Bool
    /// Removes command `id` (its answer was read).
    func forgetCommand(_ id: Int64) async throws
    /// Removes commands older than `seconds` (answered ones whose origin died, say); how many.
    func forgetCommands(olderThan seconds: Double) async throws -> Int
    /// Whether `host`'s heartbeat is within the lease.
    func isAlive(host: String) async throws -> Bool
    /// Tells every host that this one reads instance `name`'s log for a subscriber (renewed while it does).
    func watch(instance name: String) async throws
    /// Another host reads instance `name`'s log: this host's commits of it announce new events for a while.
    func noteWatched(instance name: String)
    /// The newest seq in instance `name`'s log (nil: it has none).
    func lastEventSeq(instance name: String) async throws -> UInt64?
    /// Calls `handler` with every notice another host sends this one, until the task is cancelled.
    func listen(_ handler: @escaping @Sendable (StoreNotice) -> Void) async

    // MARK: Commits and health

    /// Commits several instances' groups of batches in one transaction, each group in a
    /// savepoint: a group that fails is rolled back alone (its error is returned in its place).
    /// - Throws: if the transaction itself fails (then nothing was stored).
    func commit(groups: [[StoreBatch]]) async throws -> [(any Error & Sendable)?]
    /// Answers once the database does (the watchdog's health check).
    func ping() async throws
}

import WorkflowJSON
import WorkflowProtocol

/// Every method of the protocol (docs/semantics.md §6), by what it does.
extension WorkflowClient {
    // MARK: daemon.*

    /// Asks the daemon whether it answers (`daemon.ping`); the answer carries its version.
    public func ping() async throws -> DaemonMethods.Ping.Result { try await call(DaemonMethods.Ping.self, NoParams()) }
    /// What the daemon holds and does now (`daemon.status`): its pid and uptime, its socket and
    /// directories, instances stored and loaded, active runs, connections, subscriptions, definitions.
    public func status() async throws -> DaemonMethods.Status.Result { try await call(DaemonMethods.Status.self, NoParams()) }
    /// The daemon's metrics in Prometheus' text exposition format (`daemon.metrics`), as its
    /// HTTP endpoint serves them: runs, supersteps, commits, calls, instances, open requests.
    public func metrics() async throws -> String { try await call(DaemonMethods.Metrics.self, NoParams()).text }
    /// Makes the daemon read its definitions directory again (`daemon.reload`, as SIGHUP does);
    /// answers once it has, with the definitions loaded and the files it refused, saying why.
    public func reload() async throws -> DaemonMethods.Reload.Result { try await call(DaemonMethods.Reload.self, NoParams()) }
    /// The daemon's OpenRPC document (`rpc.discover`): every method, its params, result and errors.
    public func discover() async throws -> JSON { try await call(DaemonMethods.Discover.self, NoParams()) }

    // MARK: definition.*

    /// The definitions the daemon serves, and the files it could not load with their problems (`definition.list`).
    public func definitions() async throws -> DefinitionMethods.List.Result { try await call(DefinitionMethods.List.self, NoParams()) }
    /// One definition, with its whole document (`definition.get`).
    /// - Throws: ``WorkflowClientError`` with code -32005 if the daemon serves none by that name.
    public func definition(_ name: String) async throws -> DefinitionInfo {
        try await call(DefinitionMethods.Get.self, .init(name: name))
    }
    /// Checks a definition's text as the daemon would load it, without loading it (`definition.validate`):
    /// valid with its name and hash, or each problem with its file, line and path. `file` is the
    /// name problems are reported under, and where relative program paths are resolved from.
    public func validate(text: String, file: String? = nil) async throws -> DefinitionMethods.Validate.Result {
        try await call(DefinitionMethods.Validate.self, .init(text: text, file: file))
    }

    // MARK: instance.*

    /// Creates an instance of a definition, owned by the calling user (`instance.create`).
    /// `onBusy` is `.reject` (the default: a run asked for while one is active is refused) or
    /// `.queue` (it waits its turn).
    public func createInstance(_ name: String, definition: String, onBusy: BusyPolicyValue? = nil) async throws -> InstanceInfo {
        try await call(InstanceMethods.Create.self, .init(name: name, definition: definition, onBusy: onBusy))
    }
    /// One page of the instances the caller may see, in name order (`instance.list`), optionally
    /// only those of one definition; pass the previous page's `next` as `after` for the next page.
    public func instances(definition: String? = nil, after: String? = nil, limit: Int? = nil) async throws -> InstanceMethods.List.Result {
        try await call(InstanceMethods.List.self, .init(definition: definition, after: after, limit: limit))
    }
    /// Everything the daemon says of one instance, read at one moment (`instance.get`): status,
    /// active and queued runs, open requests, lineage head, next seq, superstep.
    public func instance(_ name: String) async throws -> InstanceInfo { try await call(InstanceMethods.Get.self, .init(instance: name)) }
    /// Deletes an instance with its checkpoints, events and runs (`instance.delete`). An instance
    /// with an active run is refused (-32004) unless `cancel` is set, which cancels the run first.
    /// - Returns: whether it was deleted.
    @discardableResult
    public func deleteInstance(_ name: String, cancel: Bool = false) async throws -> Bool {
        try await call(InstanceMethods.Delete.self, .init(instance: name, cancel: cancel ? true : nil)).deleted
    }
    /// Returns an instance to a clean slate (`instance.reset`): no state, no open requests, a new
    /// lineage. An active run is refused unless `cancel`; with `upgrade`, the instance moves to the
    /// definition's current version.
    @discardableResult
    public func reset(_ name: String, cancel: Bool = false, upgrade: Bool = false) async throws -> InstanceInfo {
        try await call(InstanceMethods.Reset.self, .init(instance: name, cancel: cancel ? true : nil, upgrade: upgrade ? true : nil))
    }
    /// Puts an instance back at one of its checkpoints (an id or a label) (`instance.rewind`); if
    /// the checkpoint had messages in flight, a run continues from it (its id is in the answer).
    public func rewind(_ name: String, to checkpoint: String) async throws -> InstanceMethods.Continued {
        try await call(InstanceMethods.Rewind.self, .init(instance: name, checkpointId: checkpoint))
    }
    /// Makes a new instance, owned by the caller, from a checkpoint of this one (`instance.fork`);
    /// a run continues the checkpoint's messages in flight, if it had any.
    public func fork(_ name: String, at checkpoint: String, as newName: String) async throws -> InstanceMethods.Continued {
        try await call(InstanceMethods.Fork.self, .init(instance: name, checkpointId: checkpoint, name: newName))
    }
    /// The definition version the instance runs, with its live state on it (`instance.graph`):
    /// where messages wait, which steps wait for a person, and the path of the active or last run.
    public func graph(of name: String) async throws -> InstanceMethods.Graph.Result {
        try await call(InstanceMethods.Graph.self, .init(instance: name))
    }

    // MARK: run.*

    /// Starts a run with `input` (`run.start`). With `definition`, an instance that does not exist
    /// yet is created from it first; an `idempotencyKey` already used returns that run and starts
    /// nothing; with `wait`, the answer comes once the run has ended, with its result. With a
    /// `traceparent` (W3C Trace Context), the run's spans belong to the caller's trace.
    /// - Returns: the run: started, queued (with its position), or the existing one.
    public func startRun(on instance: String, input: JSON = .null, definition: String? = nil, idempotencyKey: String? = nil,
                         wait: Bool = false, traceparent: String? = nil) async throws -> RunInfo {
        try await call(RunMethods.Start.self, .init(instance: instance, input: input, definition: definition, idempotencyKey: idempotencyKey,
                                                    wait: wait ? true : nil, traceparent: traceparent))
    }
    /// Waits until a run ends (`run.wait`): `runId`, else the active run, else the last one. Past
    /// `timeout` it answers with what is known and `timedOut` set.
    public func waitForRun(on instance: String, runId: String? = nil, timeout: Duration? = nil) async throws -> RunInfo {
        let milliseconds = timeout.map { Int($0.components.seconds * 1000 + $0.components.attoseconds / 1_000_000_000_000_000) }
        return try await call(RunMethods.Wait.self, .init(instance: instance, runId: runId, timeoutMs: milliseconds))
    }
    /// What the daemon knows of one run (`run.get`): its status, trigger, input, outputs, error, times.
    public func run(_ runId: String, on instance: String) async throws -> RunInfo {
        try await call(RunMethods.Get.self, .init(instance: instance, runId: runId))
    }
    /// The instance's runs, newest first (`run.list`): queued ones, the active one, and those the
    /// store still records.
    public func runs(of instance: String, limit: Int? = nil) async throws -> [RunInfo] {
        try await call(RunMethods.List.self, .init(instance: instance, limit: limit)).runs
    }
    /// The recorded runs with `status`, of one instance or of every instance this user may see,
    /// newest first (`run.list`): `.failed` across instances is the dead-letter view.
    public func runs(withStatus status: RunStatusValue, of instance: String? = nil, limit: Int? = nil) async throws -> [RunInfo] {
        try await call(RunMethods.List.self, .init(instance: instance, status: status, limit: limit)).runs
    }
    /// Takes up the work the instance's last failed or cancelled run left, in a new run (`run.retry`);
    /// with `wait`, answers with its result.
    public func retryRun(on instance: String, wait: Bool = false) async throws -> RunInfo {
        try await call(RunMethods.Retry.self, .init(instance: instance, wait: wait))
    }
    /// Cancels the instance's active run (`run.cancel`); answers once it has ended, saying
    /// whether there was one to cancel.
    @discardableResult
    public func cancelRun(on instance: String) async throws -> RunMethods.Cancel.Result {
        try await call(RunMethods.Cancel.self, .init(instance: instance))
    }

    // MARK: events.*

    /// One page of an instance's event log after a seq (`events.read`), and the oldest seq the log
    /// still holds. For a live stream, see ``events(of:after:)``.
    public func readEvents(of instance: String, after afterSeq: UInt64? = nil, limit: Int? = nil) async throws -> EventMethods.Read.Result {
        try await call(EventMethods.Read.self, .init(instance: instance, afterSeq: afterSeq, limit: limit))
    }

    // MARK: request.*

    /// The open requests for a person (`request.list`): of one instance, or of every instance the
    /// caller may see.
    public func requests(of instance: String? = nil) async throws -> [RequestInfo] {
        try await call(RequestMethods.List.self, .init(instance: instance)).requests
    }
    /// Answers a request for a person (`request.respond`). The response must satisfy the request's
    /// schema (-32008 says where it does not); the active run takes it at its next superstep, or a
    /// new run starts to deliver it.
    /// With a `traceparent` (W3C Trace Context), that run's spans belong to the caller's trace.
    /// - Returns: the run that delivers it, and whether it was started for it.
    @discardableResult
    public func respond(on instance: String, to requestId: String, with response: JSON,
                        traceparent: String? = nil) async throws -> RequestMethods.Respond.Result {
        try await call(RequestMethods.Respond.self, .init(instance: instance, requestId: requestId, response: response, traceparent: traceparent))
    }

    /// Sends the instance a named signal: it wakes the first wait armed for that name, or is
    /// kept for the first that will be (`instance.signal`). With a `traceparent`, the run that
    /// delivers it belongs to the caller's trace.
    public func signal(_ instance: String, _ name: String, payload: JSON = .null, traceparent: String? = nil) async throws -> InstanceMethods.Signal.Result {
        try await call(InstanceMethods.Signal.self, .init(instance: instance, name: name, payload: payload, traceparent: traceparent))
    }

    // MARK: schedule.*

    /// Creates a schedule (`schedule.create`): runs on an instance at cron times or intervals.
    public func createSchedule(_ params: ScheduleMethods.Create.Params) async throws -> ScheduleInfo {
        try await call(ScheduleMethods.Create.self, params)
    }
    /// The schedules this user may see, by name, with their next fire times (`schedule.list`, every page).
    public func schedules() async throws -> [ScheduleInfo] {
        var all: [ScheduleInfo] = []
        var after: String?
        repeat {
            let page = try await call(ScheduleMethods.List.self, .init(after: after, limit: 1000))
            all += page.schedules
            after = page.next
        } while after != nil
        return all
    }
    /// One schedule (`schedule.get`).
    public func schedule(_ name: String) async throws -> ScheduleInfo {
        try await call(ScheduleMethods.Get.self, .init(name: name))
    }
    /// Pauses a schedule (`schedule.pause`).
    public func pauseSchedule(_ name: String) async throws -> ScheduleInfo {
        try await call(ScheduleMethods.Pause.self, .init(name: name))
    }
    /// Resumes a schedule from now (`schedule.resume`).
    public func resumeSchedule(_ name: String) async throws -> ScheduleInfo {
        try await call(ScheduleMethods.Resume.self, .init(name: name))
    }
    /// Deletes a schedule made with `schedule.create` (`schedule.delete`).
    public func deleteSchedule(_ name: String) async throws -> Bool {
        try await call(ScheduleMethods.Delete.self, .init(name: name)).deleted
    }
    /// Fires a schedule now (`schedule.trigger`).
    public func triggerSchedule(_ name: String) async throws -> ScheduleInfo.Fire {
        try await call(ScheduleMethods.Trigger.self, .init(name: name))
    }
    /// Fires a schedule for each of its times from `from` through `to` (RFC 3339), queued in order
    /// (`schedule.backfill`).
    public func backfillSchedule(_ name: String, from: String, to: String) async throws -> [ScheduleInfo.Fire] {
        try await call(ScheduleMethods.Backfill.self, .init(name: name, from: from, to: to)).fires
    }

    /// Pauses an instance (`instance.pause`): its active run stops at its next boundary and
    /// nothing starts until ``resume(_:)``; answers and signals are still accepted.
    public func pause(_ instance: String, reason: String? = nil) async throws -> InstanceInfo {
        try await call(InstanceMethods.Pause.self, .init(instance: instance, reason: reason))
    }
    /// Resumes a paused instance (`instance.resume`): its stopped run goes on, then what was kept.
    public func resume(_ instance: String) async throws -> InstanceInfo {
        try await call(InstanceMethods.Resume.self, .init(instance: instance))
    }

    // MARK: checkpoint.*

    /// Every checkpoint of an instance, oldest first, with labels and the lineage head marked (`checkpoint.list`).
    public func checkpoints(of instance: String) async throws -> [CheckpointInfo] {
        try await call(CheckpointMethods.List.self, .init(instance: instance)).checkpoints
    }
    /// One checkpoint (an id or a label), whole (`checkpoint.get`).
    public func checkpoint(_ id: String, of instance: String) async throws -> CheckpointMethods.Get.Result {
        try await call(CheckpointMethods.Get.self, .init(instance: instance, checkpointId: id))
    }
    /// Takes a checkpoint now (`checkpoint.create`): of the idle state, or at the next superstep
    /// boundary of a running instance. A label names it wherever an id works, and retention keeps it.
    public func createCheckpoint(of instance: String, label: String? = nil) async throws -> CheckpointInfo {
        try await call(CheckpointMethods.Create.self, .init(instance: instance, label: label))
    }
    /// Deletes a checkpoint that is not the lineage head (`checkpoint.delete`).
    /// - Returns: whether it was deleted.
    @discardableResult
    public func deleteCheckpoint(_ id: String, of instance: String) async throws -> Bool {
        try await call(CheckpointMethods.Delete.self, .init(instance: instance, checkpointId: id)).deleted
    }
    /// Deletes now what checkpoint retention would (`checkpoint.prune`).
    /// - Returns: how many checkpoints were deleted.
    @discardableResult
    public func pruneCheckpoints(of instance: String) async throws -> Int {
        try await call(CheckpointMethods.Prune.self, .init(instance: instance)).deleted
    }
}

import WorkflowJSON
import WorkflowProtocol

/// Every method of the protocol (docs/semantics.md §6), by what it does.
extension WorkflowClient {
    // MARK: daemon.*

    /// `daemon.ping`
    public func ping() async throws -> DaemonMethods.Ping.Result { try await call(DaemonMethods.Ping.self, NoParams()) }
    /// `daemon.status`
    public func status() async throws -> DaemonMethods.Status.Result { try await call(DaemonMethods.Status.self, NoParams()) }
    /// `daemon.reload`: answers once the definitions are read again.
    public func reload() async throws -> DaemonMethods.Reload.Result { try await call(DaemonMethods.Reload.self, NoParams()) }
    /// `rpc.discover`: the OpenRPC document.
    public func discover() async throws -> JSON { try await call(DaemonMethods.Discover.self, NoParams()) }

    // MARK: definition.*

    /// `definition.list`
    public func definitions() async throws -> DefinitionMethods.List.Result { try await call(DefinitionMethods.List.self, NoParams()) }
    /// `definition.get` (with its document)
    public func definition(_ name: String) async throws -> DefinitionInfo {
        try await call(DefinitionMethods.Get.self, .init(name: name))
    }
    /// `definition.validate`: checks a text as the daemon would load it.
    public func validate(text: String, file: String? = nil) async throws -> DefinitionMethods.Validate.Result {
        try await call(DefinitionMethods.Validate.self, .init(text: text, file: file))
    }

    // MARK: instance.*

    /// `instance.create`
    public func createInstance(_ name: String, definition: String, onBusy: String? = nil) async throws -> InstanceInfo {
        try await call(InstanceMethods.Create.self, .init(name: name, definition: definition, onBusy: onBusy))
    }
    /// `instance.list`: one page (pass the previous page's `next` as `after`).
    public func instances(definition: String? = nil, after: String? = nil, limit: Int? = nil) async throws -> InstanceMethods.List.Result {
        try await call(InstanceMethods.List.self, .init(definition: definition, after: after, limit: limit))
    }
    /// `instance.get`
    public func instance(_ name: String) async throws -> InstanceInfo { try await call(InstanceMethods.Get.self, .init(instance: name)) }
    /// `instance.delete`
    @discardableResult
    public func deleteInstance(_ name: String, cancel: Bool = false) async throws -> Bool {
        try await call(InstanceMethods.Delete.self, .init(instance: name, cancel: cancel ? true : nil)).deleted
    }
    /// `instance.reset`
    @discardableResult
    public func reset(_ name: String, cancel: Bool = false, upgrade: Bool = false) async throws -> InstanceInfo {
        try await call(InstanceMethods.Reset.self, .init(instance: name, cancel: cancel ? true : nil, upgrade: upgrade ? true : nil))
    }
    /// `instance.rewind`
    public func rewind(_ name: String, to checkpoint: String) async throws -> InstanceMethods.Continued {
        try await call(InstanceMethods.Rewind.self, .init(instance: name, checkpointId: checkpoint))
    }
    /// `instance.fork`
    public func fork(_ name: String, at checkpoint: String, as newName: String) async throws -> InstanceMethods.Continued {
        try await call(InstanceMethods.Fork.self, .init(instance: name, checkpointId: checkpoint, name: newName))
    }
    /// `instance.graph`: the pinned definition with the instance's live state on it.
    public func graph(of name: String) async throws -> InstanceMethods.Graph.Result {
        try await call(InstanceMethods.Graph.self, .init(instance: name))
    }

    // MARK: run.*

    /// `run.start`
    public func startRun(on instance: String, input: JSON = .null, definition: String? = nil, idempotencyKey: String? = nil,
                         wait: Bool = false) async throws -> RunInfo {
        try await call(RunMethods.Start.self, .init(instance: instance, input: input, definition: definition, idempotencyKey: idempotencyKey,
                                                    wait: wait ? true : nil))
    }
    /// `run.wait`: until the run (default: the active, else the last) ends, or the timeout.
    public func waitForRun(on instance: String, runId: String? = nil, timeout: Duration? = nil) async throws -> RunInfo {
        let milliseconds = timeout.map { Int($0.components.seconds * 1000 + $0.components.attoseconds / 1_000_000_000_000_000) }
        return try await call(RunMethods.Wait.self, .init(instance: instance, runId: runId, timeoutMs: milliseconds))
    }
    /// `run.get`
    public func run(_ runId: String, on instance: String) async throws -> RunInfo {
        try await call(RunMethods.Get.self, .init(instance: instance, runId: runId))
    }
    /// `run.list`
    public func runs(of instance: String, limit: Int? = nil) async throws -> [RunInfo] {
        try await call(RunMethods.List.self, .init(instance: instance, limit: limit)).runs
    }
    /// `run.cancel`: answers once the run has ended.
    @discardableResult
    public func cancelRun(on instance: String) async throws -> RunMethods.Cancel.Result {
        try await call(RunMethods.Cancel.self, .init(instance: instance))
    }

    // MARK: events.*

    /// `events.read`: one page of the log.
    public func readEvents(of instance: String, after afterSeq: UInt64? = nil, limit: Int? = nil) async throws -> EventMethods.Read.Result {
        try await call(EventMethods.Read.self, .init(instance: instance, afterSeq: afterSeq, limit: limit))
    }

    // MARK: request.*

    /// `request.list`: open requests of one instance, or of all the caller may see.
    public func requests(of instance: String? = nil) async throws -> [RequestInfo] {
        try await call(RequestMethods.List.self, .init(instance: instance)).requests
    }
    /// `request.respond`
    @discardableResult
    public func respond(on instance: String, to requestId: String, with response: JSON) async throws -> RequestMethods.Respond.Result {
        try await call(RequestMethods.Respond.self, .init(instance: instance, requestId: requestId, response: response))
    }

    // MARK: checkpoint.*

    /// `checkpoint.list`
    public func checkpoints(of instance: String) async throws -> [CheckpointInfo] {
        try await call(CheckpointMethods.List.self, .init(instance: instance)).checkpoints
    }
    /// `checkpoint.get`
    public func checkpoint(_ id: String, of instance: String) async throws -> CheckpointMethods.Get.Result {
        try await call(CheckpointMethods.Get.self, .init(instance: instance, checkpointId: id))
    }
    /// `checkpoint.create`
    public func createCheckpoint(of instance: String, label: String? = nil) async throws -> CheckpointInfo {
        try await call(CheckpointMethods.Create.self, .init(instance: instance, label: label))
    }
    /// `checkpoint.delete`
    @discardableResult
    public func deleteCheckpoint(_ id: String, of instance: String) async throws -> Bool {
        try await call(CheckpointMethods.Delete.self, .init(instance: instance, checkpointId: id)).deleted
    }
    /// `checkpoint.prune`: the number deleted.
    @discardableResult
    public func pruneCheckpoints(of instance: String) async throws -> Int {
        try await call(CheckpointMethods.Prune.self, .init(instance: instance)).deleted
    }
}

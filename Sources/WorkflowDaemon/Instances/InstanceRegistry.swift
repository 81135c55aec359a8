import Logging
import WorkflowConcurrency
import WorkflowDefinitions
import WorkflowEngine
import WorkflowProtocol
import WorkflowStore

/// The instances of the daemon. They live in the store and are loaded on demand: touching one
/// hydrates it (recovering whatever its last process left), idle ones are evicted beyond a bound,
/// and at start only those that need it (a run in progress, runs queued, responses accepted and
/// not yet delivered) are taken up. Start-up and memory do not grow with the instances stored.
actor InstanceRegistry {
    private struct Loaded {
        let instance: WorkflowInstance
        var record: InstanceRecord
        var leases = 0
        var lastUsed: UInt64 = 0
        /// When it was last leased (several hosts release what stays unused: ``releaseIdle(after:)``).
        var lastUsedAt = ContinuousClock.now
    }

    let store: any InstanceStore
    let shared: GroupCommitStore
    let catalog: DefinitionCatalog
    let configuration: DaemonConfiguration
    /// Where each instance's runs and supersteps are counted.
    nonisolated let metrics: DaemonMetrics
    private let validator = JSONSchemaValidator()
    /// What the subscriptions of all instances may hold together.
    nonisolated let subscriptionBudget: EventBudget
    private var loaded: [String: Loaded] = [:]
    /// Instances being loaded, and who waits for each.
    private var loading: [String: [Promise<Bool>]] = [:]
    private var tick: UInt64 = 0
    /// Instances whose take-up failed, and when (bounded: cleared past a thousand).
    private var takeUpFailures: [String: ContinuousClock.Instant] = [:]
    /// How long an instance whose take-up failed is left before it is tried again.
    static let takeUpRetry: Duration = .seconds(60)
    /// The daemon's phase: once it drains, no instance is loaded or created.
    nonisolated let lifecycle: DaemonLifecycle

    init(store: any InstanceStore, shared: GroupCommitStore, catalog: DefinitionCatalog, configuration: DaemonConfiguration,
         lifecycle: DaemonLifecycle, metrics: DaemonMetrics) {
        self.lifecycle = lifecycle
        self.metrics = metrics
        self.store = store
        self.shared = shared
        self.catalog = catalog
        self.configuration = configuration
        self.subscriptionBudget = EventBudget(limit: configuration.limits.maxBufferedEventsTotal)
    }

    var loadedCount: Int { loaded.count }
    var loadedInstances: [WorkflowInstance] { loaded.values.map(\.instance) }

    func instanceConfiguration(onBusy: String, name: String, definition: String) -> InstanceConfiguration {
        var logger = configuration.logger
        logger[metadataKey: "instance"] = "\(name)"
        return InstanceConfiguration(store: shared, onBusy: BusyPolicy(rawValue: onBusy) ?? .reject, responseValidator: validator,
                                     runHistoryLimit: configuration.limits.runResultsInMemory,
                                     openRequestLimit: configuration.limits.maxOpenRequests,
                                     subscriptionBufferLimit: configuration.limits.maxBufferedEvents,
                                     subscriptionBudget: subscriptionBudget, logger: logger,
                                     observer: metrics.runMetrics(definition: definition), tracer: configuration.tracer)
    }

    // MARK: Leases

    /// The instance named `name`, loaded if need be, for `peer` (its owner or root).
    /// - Throws: instance not found (also to a peer that may not see it), or why it cannot be loaded.
    func acquire(_ name: String, peer: Peer) async throws -> InstanceLease {
        while true {
            if !lifecycle.loadsInstances { throw DaemonError.shuttingDown }
            if var entry = loaded[name] {
                guard peer.isRoot || entry.record.ownerUID == peer.uid else { throw DaemonError.notVisible(name) }
                tick += 1
                entry.leases += 1
                entry.lastUsed = tick
                entry.lastUsedAt = .now
                loaded[name] = entry
                return InstanceLease(instance: entry.instance, record: entry.record)
            }
            if loading[name] != nil {
                // Another request is loading it: wait for that (each waiter with a promise of
                // its own), then look again (loaded, or load it and meet the error ourselves).
                let waiter = Promise<Bool>()
                loading[name, default: []].append(waiter)
                _ = try? await waiter.value()
                continue
            }
            loading[name] = []
            defer {
                for waiter in loading.removeValue(forKey: name) ?? [] { waiter.resolve(.success(true)) }
            }
            try await hydrate(name, peer: peer)
        }
    }

    /// Gives a lease back; beyond the bound, idle instances are evicted.
    func release(_ lease: InstanceLease) async {
        guard var entry = loaded[lease.name], entry.instance === lease.instance else { return }
        entry.leases -= 1
        loaded[lease.name] = entry
        if loaded.count > configuration.limits.maxLoadedInstances { await evict() }
    }

    /// Loads an instance from the store: its record, its definition version, what recovery gives.
    private func hydrate(_ name: String, peer: Peer) async throws {
        guard let record = try await store.instance(named: name) else { throw DaemonError.instanceNotFound(name) }
        guard peer.isRoot || record.ownerUID == peer.uid else { throw DaemonError.notVisible(name) }
        // With several hosts, this host claims it first: its recovery then reads everything the
        // previous owner committed, and that owner can commit nothing more.
        switch try await store.claim(instance: name) {
        case .owned: break
        case .ownedElsewhere(let host): throw DaemonError.ownedElsewhere(name, host: host)
        case .missing: throw DaemonError.instanceNotFound(name)
        }
        let instance: WorkflowInstance
        do {
            guard let recovered = try await store.recover(instance: name) else { throw DaemonError.instanceNotFound(name) }
            let workflow = try await catalog.workflow(hash: record.definitionHash, name: record.definition, store: store)
            instance = try WorkflowInstance(recovering: recovered.recovery, workflow: workflow,
                                            configuration: instanceConfiguration(onBusy: record.onBusy, name: name, definition: record.definition))
        } catch {
            try? await store.release(instance: name)
            throw error
        }
        // A paused instance is held: it takes up nothing until it is resumed.
        if record.paused != nil { await instance.hold() }
        let outcome = try await instance.resumeRecovered(configuration.recoveryMode)
        if let resumed = outcome.resumed {
            configuration.logger.notice("resumed a run", metadata: ["instance": "\(name)", "run": "\(resumed.runID)"])
        }
        for failed in outcome.failedRuns {
            configuration.logger.notice("recorded an interrupted run as failed", metadata: ["instance": "\(name)", "run": "\(failed)"])
        }
        loaded[name] = Loaded(instance: instance, record: record)
    }

    /// Evicts the least recently used quiet instances until a tenth below the bound: the
    /// candidates are sorted once per pass, so a stream of loads (timers firing on evicted
    /// instances) sorts once every hundred or so, not once per load.
    private func evict() async {
        let candidates = loaded.filter { $0.value.leases == 0 }.sorted { $0.value.lastUsed < $1.value.lastUsed }
        let bound = configuration.limits.maxLoadedInstances
        var excess = loaded.count - max(1, bound - bound / 10)
        for (name, entry) in candidates where excess > 0 {
            guard await entry.instance.isQuiet else { continue }
            // Checked again after the await: someone may have taken it meanwhile.
            guard let now = loaded[name], now.instance === entry.instance, now.leases == 0 else { continue }
            loaded[name] = nil
            excess -= 1
            await entry.instance.shutdown()
            await releaseOwnership(name)
        }
    }

    /// Gives up this host's ownership of an instance it no longer holds (several hosts).
    private func releaseOwnership(_ name: String) async {
        do {
            try await store.release(instance: name)
        } catch {
            // Not lost: the ownership stays this host's until its lease ends or it claims again.
            configuration.logger.warning("could not release an instance", metadata: ["instance": "\(name)", "error": "\(error)"])
        }
    }

    // MARK: Several hosts

    /// Instances quiet and unleased for `idle` are released (several hosts only): the next host
    /// to use one owns it, so instances live where they are used.
    func releaseIdle(after idle: Duration) async {
        guard store.hostID != nil else { return }
        let cutoff = ContinuousClock.now - idle
        for (name, entry) in loaded where entry.leases == 0 && entry.lastUsedAt < cutoff {
            guard await entry.instance.isQuiet else { continue }
            guard let now = loaded[name], now.instance === entry.instance, now.leases == 0 else { continue }
            loaded[name] = nil
            await entry.instance.shutdown()
            await releaseOwnership(name)
        }
    }

    /// Another host owns `name` now (this host's commit was refused): the instance is dropped at
    /// once, without writing anything, and loaded again from the store (claimed again) only if
    /// it is used here later.
    func fenced(_ name: String) async {
        guard let entry = loaded.removeValue(forKey: name) else { return }
        configuration.logger.warning("another host took this instance over (this host's lease had run out): dropped it",
                                     metadata: ["instance": "\(name)"])
        await entry.instance.shutdown()
    }

    /// Takes up instances that need recovery and that no live host owns (a dead host's, or
    /// those a stopped host released): each is claimed and its runs resume here. One that
    /// another host claimed first is left to it.
    @discardableResult
    func takeUp(_ names: [String]) async -> Int {
        let root = Peer(pid: 0, uid: 0, gid: 0)
        var taken = 0
        let now = ContinuousClock.now
        for name in names where loaded[name] == nil {
            if let failed = takeUpFailures[name], now - failed < Self.takeUpRetry { continue }
            do {
                let lease = try await acquire(name, peer: root)
                await release(lease)
                taken += 1
            } catch let error as DaemonError where error.rpcError.code == .instanceElsewhere || error.rpcError.code == .instanceNotFound
                                                || error.rpcError.code == .shuttingDown {
                continue
            } catch {
                // Tried again after a while, not at every heartbeat (nor logged at each).
                if takeUpFailures.count >= 1000 { takeUpFailures.removeAll() }
                takeUpFailures[name] = now
                configuration.logger.error("could not take up an instance", metadata: ["instance": "\(name)", "error": "\(error)"])
            }
        }
        return taken
    }

    // MARK: Creating and deleting

    /// Creates an instance from a loaded definition, owned by `owner`, and loads it.
    func create(_ name: String, definition: Definition, onBusy: BusyPolicy, owner: UInt32) async throws -> InstanceLease {
        if !lifecycle.loadsInstances { throw DaemonError.shuttingDown }
        guard Definition.identifierProblem(name) == nil else {
            throw RPCError.invalidParams("'\(name.prefix(40))' is not a valid instance name (letters, digits, '_', '-', '.'; at most 64, not starting with '-' or '.')",
                                         path: "params.name")
        }
        try await store.saveDefinitionVersion(hash: definition.graphHash, name: definition.name, file: definition.file, document: definition.document)
        let record = InstanceRecord(name: name, definition: definition.name, definitionHash: definition.graphHash, ownerUID: owner,
                                    onBusy: onBusy.rawValue, createdAt: Timestamp.now())
        try await store.createInstance(record)
        let instance = WorkflowInstance(name: name, workflow: definition.workflow, configuration: instanceConfiguration(onBusy: onBusy.rawValue, name: name, definition: definition.name))
        tick += 1
        loaded[name] = Loaded(instance: instance, record: record, leases: 1, lastUsed: tick)
        configuration.logger.info("instance created", metadata: ["instance": "\(name)", "definition": "\(definition.name)", "peer.uid": "\(owner)"])
        return InstanceLease(instance: instance, record: record)
    }

    /// Deletes an instance (its lease is held by the caller): its run stopped, its workers gone,
    /// its rows removed.
    func delete(_ lease: InstanceLease) async throws {
        await lease.instance.shutdown()
        _ = try await store.deleteInstance(named: lease.name)
        if loaded[lease.name]?.instance === lease.instance { loaded[lease.name] = nil }
        configuration.logger.info("instance deleted", metadata: ["instance": "\(lease.name)"])
    }

    /// Puts a new instance object in place of the leased one (a reset with upgrade): the old one
    /// is stopped, the record moved to the new definition version.
    func replace(_ lease: InstanceLease, with definition: Definition) async throws -> InstanceLease {
        try await store.saveDefinitionVersion(hash: definition.graphHash, name: definition.name, file: definition.file, document: definition.document)
        try await store.setDefinitionHash(instance: lease.name, hash: definition.graphHash)
        let nextSeq = await lease.instance.nextSeq
        await lease.instance.shutdown()
        var record = lease.record
        record.definitionHash = definition.graphHash
        let instance = WorkflowInstance(name: lease.name, workflow: definition.workflow,
                                        configuration: instanceConfiguration(onBusy: record.onBusy, name: lease.name, definition: definition.name),
                                        nextSeq: nextSeq)
        tick += 1
        // The caller's lease of the old instance is spent on this one (its release of the old
        // one is ignored); leases others hold of the old instance do not count for the new.
        loaded[lease.name] = Loaded(instance: instance, record: record, leases: 0, lastUsed: tick)
        return InstanceLease(instance: instance, record: record)
    }

    /// Stops the leased instance at its next superstep boundary (its active run, if any, stays in
    /// progress at its last checkpoint) and forgets it: the next lease loads it again from the
    /// store, as its record now says (paused, or not any more). Other leases of the old object
    /// find it stopped.
    func reload(_ lease: InstanceLease) async {
        await lease.instance.suspend(grace: .seconds(365 * 86_400))
        if loaded[lease.name]?.instance === lease.instance { loaded[lease.name] = nil }
    }

    /// The loaded instance's record no longer says it is paused (the store's does not either).
    func resumed(_ name: String) {
        loaded[name]?.record.paused = nil
    }

    /// Registers an instance made elsewhere (a fork), already stored.
    func adopt(_ instance: WorkflowInstance, record: InstanceRecord) -> InstanceLease {
        tick += 1
        loaded[record.name] = Loaded(instance: instance, record: record, leases: 1, lastUsed: tick)
        return InstanceLease(instance: instance, record: record)
    }

    /// The record of an instance, for a peer that may act on it.
    /// - Throws: instance not found (also to a peer that may not see it).
    func record(_ name: String, peer: Peer) async throws -> InstanceRecord {
        var record = loaded[name]?.record
        if record == nil { record = try await store.instance(named: name) }
        guard let record else { throw DaemonError.instanceNotFound(name) }
        guard peer.isRoot || record.ownerUID == peer.uid else { throw DaemonError.notVisible(name) }
        return record
    }

    /// Whether an instance is loaded now (its lineage head is then the instance's, not the record's).
    func loadedInstance(_ name: String) -> WorkflowInstance? { loaded[name]?.instance }

    // MARK: Start and stop

    /// Takes up, at start, the instances that need it now (with several hosts, those no other
    /// live host owns); the others wait until touched.
    func recoverAtStart() async {
        let names: [String]
        do {
            names = try await store.unownedNeedingRecovery(limit: 100_000)
        } catch {
            configuration.logger.error("could not find the instances to recover", metadata: ["error": "\(error)"])
            return
        }
        await takeUp(names)
        if !names.isEmpty { configuration.logger.notice("recovered instances", metadata: ["count": "\(names.count)"]) }
    }

    /// Stops every loaded instance for a restart: supersteps in flight may finish (and are
    /// checkpointed) within `grace`, then they are interrupted; runs resume when the daemon
    /// starts again; workers stopped, subscriptions ended.
    /// The daemon is draining by then (``DaemonPhase/State/draining``): nothing is loaded again.
    func suspendAll(grace: Duration) async {
        let instances = loaded.values.map(\.instance)
        await withTaskGroup(of: Void.self) { group in
            for instance in instances { group.addTask { await instance.suspend(grace: grace) } }
        }
    }
}

import WorkflowDefinitions
import WorkflowEngine
import WorkflowProtocol
import WorkflowStore

extension InstanceService {
    /// `run.start`: a run of the instance (created from `definition` first if it does not exist
    /// yet), started, queued, or the existing run its idempotency key names; with `wait`, its result.
    func startRun(_ params: RunMethods.Start.Params, by peer: Peer) async throws -> RunInfo {
        if let key = params.idempotencyKey, key.hasPrefix("schedule:") {
            throw RPCError.invalidParams("params.idempotencyKey: keys beginning with 'schedule:' are reserved for schedules' fires",
                                         path: "params.idempotencyKey")
        }
        if let definition = params.definition { try await createIfMissing(params.instance, from: definition, by: peer) }
        return try await withInstance(params.instance, by: peer) { lease in
            // A waiting caller hears of the run only with its (committed) result: its start
            // may be committed with the run's supersteps or its end, in one transaction.
            let handle = try await lease.instance.start(params.input ?? .null, idempotencyKey: params.idempotencyKey,
                                                        durableStart: params.wait != true)
            var info: RunInfo
            if params.wait == true {
                info = Conversions.run(try await handle.result(), instance: lease.name)
            } else if handle.disposition == .existing, let result = try await lease.instance.runResult(handle.runID) {
                info = Conversions.run(result, instance: lease.name)
            } else if case .queued(let position) = handle.disposition {
                info = RunInfo(runId: handle.runID, instance: lease.name, status: .queued)
                info.position = position
            } else {
                info = RunInfo(runId: handle.runID, instance: lease.name, status: .inProgress)
            }
            switch handle.disposition {
            case .started: info.disposition = .started
            case .queued: info.disposition = .queued
            case .existing: info.disposition = .existing
            case .continued: info.disposition = .continued
            }
            info.trigger = info.trigger ?? .input
            return info
        }
    }

    /// A schedule's fire: the run for idempotency key `key` on the schedule's instance (created
    /// from its definition first if missing), started, queued or found, as `overlap` says when
    /// the instance has a run. Busy is thrown for a fire to skip.
    func startScheduledRun(_ spec: ScheduleSpec, key: String, overlap: ScheduleSpec.Overlap,
                           by peer: Peer) async throws -> (runID: String, disposition: RunHandle.Disposition) {
        if let definition = spec.definition { try await createIfMissing(spec.instance, from: definition, by: peer) }
        return try await withInstance(spec.instance, by: peer) { lease in
            let handle: RunHandle
            switch overlap {
            case .skip:
                handle = try await lease.instance.start(spec.input, idempotencyKey: key, onBusy: .reject)
            case .queue:
                handle = try await lease.instance.start(spec.input, idempotencyKey: key, onBusy: .queue)
            case .allow:
                handle = try await lease.instance.start(spec.input, idempotencyKey: key)
            case .cancelPrevious:
                do {
                    // The key is looked up first: a fire taken again after a crash finds its run, never cancels it.
                    handle = try await lease.instance.start(spec.input, idempotencyKey: key, onBusy: .reject)
                } catch let error as WorkflowError where error.code == .instanceBusy {
                    _ = await lease.instance.cancel()
                    handle = try await lease.instance.start(spec.input, idempotencyKey: key, onBusy: .queue)
                }
            }
            return (handle.runID, handle.disposition)
        }
    }

    /// Creates instance `name` from `definition` unless it exists (loaded, or in the store). A
    /// loaded instance answers without asking the store; one created meanwhile by another
    /// caller is used as it is.
    private func createIfMissing(_ name: String, from definitionName: String, by peer: Peer) async throws {
        guard await registry.loadedInstance(name) == nil, try await store.instance(named: name) == nil else { return }
        guard let definition = await catalog.definition(named: definitionName) else { throw DaemonError.definitionNotFound(definitionName) }
        do {
            let lease = try await registry.create(name, definition: definition, onBusy: .reject, owner: peer.uid)
            await registry.release(lease)
        } catch let error as WorkflowError where error.code == .instanceExists {
            // Created meanwhile by another client: use it.
        }
    }

    /// `run.wait`: the run's result once it ends, or (past `timeoutMs`) what is known with
    /// `timedOut`. Without a run id: the active run, else the last one recorded.
    func waitForRun(_ params: RunMethods.Wait.Params, by peer: Peer) async throws -> RunInfo {
        try await withInstance(params.instance, by: peer) { lease in
            var runID = params.runId
            if runID == nil { runID = await lease.instance.activeRunID }
            if runID == nil { runID = try await store.runs(instance: lease.name).last?.id }
            guard let runID else {
                throw DaemonError(.runNotFound, "instance '\(lease.name)' has no run to wait for", data: ["instance": .string(lease.name)])
            }
            let timeout = params.timeoutMs.map { Double(max(0, $0)) / 1000 }
            do {
                if try await Self.result(of: runID, lease.instance, timeout: timeout) == nil {
                    var info = try await runInfo(runID, lease)
                    info.timedOut = true
                    return info
                }
            } catch let error as WorkflowError where error.code == .runNotFound {
                // Not in memory: the store may still record it.
            }
            return try await runInfo(runID, lease)
        }
    }

    /// `run.get`: what the daemon knows of one run.
    func run(_ params: RunMethods.Get.Params, by peer: Peer) async throws -> RunInfo {
        try await withInstance(params.instance, by: peer) { lease in try await runInfo(params.runId, lease) }
    }

    /// `run.list`: of one instance, the queued runs (next first), then the recorded ones, newest
    /// first; without an instance, the recorded runs of every instance the caller may see. With
    /// a status, only those.
    func runs(_ params: RunMethods.List.Params, by peer: Peer) async throws -> RunMethods.List.Result {
        let limit = try Self.pageLimit(params.limit, default: 100, maximum: 1000)
        guard let name = params.instance else {
            guard let status = params.status else {
                throw RPCError.invalidParams("params.status: give an instance, a status, or both (runs of every instance are listed by status)",
                                             path: "params.status")
            }
            let stored = try await store.runs(withStatus: status.rawValue, owner: peer.isRoot ? nil : peer.uid, limit: limit)
            return RunMethods.List.Result(runs: try stored.map { try Conversions.run($0) })
        }
        return try await withInstance(name, by: peer) { lease in
            let queued = params.status == nil || params.status == .queued ? await lease.instance.queuedRunIDs : []
            var runs: [RunInfo] = queued.reversed().enumerated().map { index, id in
                var info = RunInfo(runId: id, instance: lease.name, status: .queued)
                info.position = queued.count - index
                return info
            }
            for stored in try await store.runs(instance: lease.name).reversed() where runs.count < limit {
                if let status = params.status, stored.status != status.rawValue { continue }
                runs.append(try Conversions.run(stored))
            }
            return RunMethods.List.Result(runs: Array(runs.prefix(limit)))
        }
    }

    /// `run.retry`: the work the last failed or cancelled run left, taken up by a new run.
    func retryRun(_ params: RunMethods.Retry.Params, by peer: Peer) async throws -> RunInfo {
        try await withInstance(params.instance, by: peer) { lease in
            let handle = try await lease.instance.retry(durableStart: params.wait != true)
            var info = params.wait == true ? Conversions.run(try await handle.result(), instance: lease.name)
                                           : RunInfo(runId: handle.runID, instance: lease.name, status: .inProgress)
            info.disposition = .started
            info.trigger = .retry
            return info
        }
    }

    /// `run.cancel`: cancels the active run, if there is one.
    func cancelRun(_ params: RunMethods.Cancel.Params, by peer: Peer) async throws -> RunMethods.Cancel.Result {
        try await withInstance(params.instance, by: peer) { lease in
            let active = await lease.instance.activeRunID
            let cancelled = await lease.instance.cancel()
            return RunMethods.Cancel.Result(cancelled: cancelled, runId: active)
        }
    }

    /// What the daemon knows of run `runID`: from the instance (queued, running, or a recent
    /// result), else from the store's run history; the stored record adds what the instance
    /// does not keep (trigger, input, times).
    func runInfo(_ runID: String, _ lease: InstanceLease) async throws -> RunInfo {
        let instance = lease.instance
        let stored = try await store.run(id: runID)
        var info: RunInfo
        do {
            if let result = try await instance.runResult(runID) {
                info = Conversions.run(result, instance: lease.name)
            } else {
                let queued = await instance.queuedRunIDs
                info = RunInfo(runId: runID, instance: lease.name, status: queued.contains(runID) ? .queued : .inProgress)
                if let position = queued.firstIndex(of: runID) { info.position = position + 1 }
            }
        } catch {
            guard let stored, stored.instance == lease.name else {
                throw DaemonError(.runNotFound, "instance '\(lease.name)' has no run '\(runID)'",
                                  data: ["instance": .string(lease.name), "runId": .string(runID)])
            }
            return try Conversions.run(stored)
        }
        if let stored, stored.instance == lease.name {
            info.trigger = try Conversions.stored(stored.trigger, as: RunTrigger.self, "run trigger")
            info.input = stored.input
            info.startedAt = Timestamp.format(stored.startedAt)
            info.endedAt = stored.endedAt.map(Timestamp.format)
            info.schedule = Conversions.scheduleFire(key: stored.idempotencyKey)
            if info.outputs == nil { info.outputs = stored.outputs.arrayValue }
        }
        return info
    }

    /// Waits for a run's result at most `timeout` seconds (nil: as long as it takes).
    static func result(of runID: String, _ instance: WorkflowInstance, timeout: Double?) async throws -> RunResult? {
        guard let timeout else { return try await instance.result(of: runID) }
        return try await withThrowingTaskGroup(of: RunResult?.self) { group in
            group.addTask { try await instance.result(of: runID) }
            group.addTask {
                try await Task.sleep(for: .milliseconds(Int(min(timeout, 86_400) * 1000)))
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
    }
}

import WorkflowEngine
import WorkflowProtocol
import WorkflowStore

/// The engine's and the store's values as the protocol describes them. The closed sets map case by
/// case (a switch the compiler checks), so the engine and the protocol cannot drift apart.
enum Conversions {
    static func status(_ status: InstanceStatus) -> InstanceStatusValue {
        switch status {
        case .idle: .idle
        case .inProgress: .inProgress
        case .idleWithPendingRequests: .idleWithPendingRequests
        case .waiting: .waiting
        case .failed: .failed
        case .cancelled: .cancelled
        }
    }

    static func runStatus(_ status: InstanceStatus) -> RunStatusValue {
        switch status {
        case .idle: .idle
        case .inProgress: .inProgress
        case .idleWithPendingRequests: .idleWithPendingRequests
        case .waiting: .waiting
        case .failed: .failed
        case .cancelled: .cancelled
        }
    }

    static func trigger(_ trigger: WorkflowEvent.Trigger) -> RunTrigger {
        switch trigger {
        case .input: .input
        case .response: .response
        case .rewind: .rewind
        case .recovery: .recovery
        case .timer: .timer
        case .signal: .signal
        case .retry: .retry
        case .schedule: .schedule
        }
    }

    static func busyPolicy(_ policy: BusyPolicy) -> BusyPolicyValue {
        switch policy {
        case .reject: .reject
        case .queue: .queue
        }
    }

    static func busyPolicy(_ value: BusyPolicyValue) -> BusyPolicy {
        switch value {
        case .reject: .reject
        case .queue: .queue
        }
    }

    static func reason(_ reason: Checkpoint.Reason) -> CheckpointReasonValue {
        switch reason {
        case .runStarted: .runStarted
        case .superstep: .superstep
        case .responseAccepted: .responseAccepted
        case .waitFired: .waitFired
        case .signalKept: .signalKept
        case .manual: .manual
        }
    }

    /// A value the store keeps as text (it wrote it from the engine's own): one of the set, or an
    /// internal error naming what the store holds.
    static func stored<Value: WireEnum>(_ text: String, as type: Value.Type, _ what: String) throws -> Value {
        guard let value = Value(rawValue: text) else {
            throw DaemonError(.internalError, "the store holds \(what) '\(text)', which is not one of \(Value.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    static func request(_ request: WorkflowRequest, instance: String) -> RequestInfo {
        RequestInfo(instance: instance, id: request.id, executor: request.executor, payload: request.payload, schema: request.schema,
                    runId: request.runID, superstep: request.superstep, time: Timestamp.format(request.time),
                    expiresAt: request.expiresAt.map { Timestamp.format($0) })
    }

    static func summary(_ record: InstanceRecord, currentHash: String?) throws -> InstanceInfo {
        var info = InstanceInfo(name: record.name, definition: record.definition, definitionHash: record.definitionHash,
                                status: try stored(record.status, as: InstanceStatusValue.self, "instance status"), owner: record.ownerUID,
                                onBusy: try stored(record.onBusy, as: BusyPolicyValue.self, "busy policy"), createdAt: Timestamp.format(record.createdAt))
        if let currentHash { info.upgradeAvailable = currentHash != record.definitionHash }
        if let from = record.forkedFrom, let checkpoint = record.forkedFromCheckpoint {
            info.forkedFrom = InstanceInfo.Origin(instance: from, checkpointId: checkpoint)
        }
        if let paused = record.paused {
            info.paused = InstanceInfo.Pause(reason: paused["reason"]?.stringValue, pausedAt: paused["pausedAt"]?.stringValue ?? "")
        }
        return info
    }

    /// Everything `instance.get` says, read from the loaded instance.
    static func details(_ lease: InstanceLease, currentHash: String?) async throws -> InstanceInfo {
        let instance = lease.instance
        var info = try summary(lease.record, currentHash: currentHash)
        info.definitionHash = instance.workflow.graphHash
        let overview = await instance.overview  // one read: the fields describe one moment
        info.status = status(overview.status)
        info.activeRunId = overview.activeRunID
        info.queuedRunIds = overview.queuedRunIDs
        info.openRequests = overview.pendingRequests.map { request($0, instance: lease.name) }
        info.head = overview.lineageHead
        info.nextSeq = overview.nextSeq
        info.superstep = overview.superstep
        if !overview.waits.isEmpty { info.waits = overview.waits.map { wait($0) } }
        if !overview.keptSignals.isEmpty { info.keptSignals = overview.keptSignals.map(\.name) }
        if let currentHash { info.upgradeAvailable = currentHash != info.definitionHash }
        return info
    }

    static func wait(_ wait: WorkflowWait) -> WaitInfo {
        WaitInfo(id: wait.id, executor: wait.executor, runId: wait.runID, due: wait.due.map { Timestamp.format($0) }, signal: wait.signal,
                 armedAt: Timestamp.format(wait.armedAt))
    }

    static func run(_ result: RunResult, instance: String) -> RunInfo {
        var info = RunInfo(runId: result.runID, instance: instance, status: runStatus(result.status))
        info.outputs = result.outputs
        info.error = result.error?.json
        info.pendingRequests = result.pendingRequests.map(\.id)
        info.supersteps = result.supersteps
        return info
    }

    static func run(_ record: StoredRun) throws -> RunInfo {
        var info = RunInfo(runId: record.id, instance: record.instance, status: try stored(record.status, as: RunStatusValue.self, "run status"))
        info.trigger = try stored(record.trigger, as: RunTrigger.self, "run trigger")
        info.input = record.input
        info.outputs = record.outputs.arrayValue
        info.error = record.error
        info.startedAt = Timestamp.format(record.startedAt)
        info.endedAt = record.endedAt.map(Timestamp.format)
        info.supersteps = record.supersteps
        info.schedule = scheduleFire(key: record.idempotencyKey)
        return info
    }

    /// The schedule and time a run's idempotency key names, if it is a fire's
    /// (`schedule:NAME:TIME`; a name has no `:`).
    static func scheduleFire(key: String?) -> RunInfo.ScheduleFire? {
        guard let key, key.hasPrefix("schedule:") else { return nil }
        let rest = key.dropFirst("schedule:".count)
        guard let colon = rest.firstIndex(of: ":") else { return nil }
        return RunInfo.ScheduleFire(name: String(rest[..<colon]), scheduledFor: String(rest[rest.index(after: colon)...]))
    }

    static func checkpoint(_ summary: CheckpointSummary, label: String?, head: String?) -> CheckpointInfo {
        CheckpointInfo(id: summary.id, parentId: summary.parentID, instance: summary.instance, runId: summary.runID,
                       reason: reason(summary.reason), superstep: summary.superstep, time: Timestamp.format(summary.time),
                       status: status(summary.status), openRequests: summary.openRequests, messagesInFlight: summary.messagesInFlight,
                       label: label, head: summary.id == head)
    }
}

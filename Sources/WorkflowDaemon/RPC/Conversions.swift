import WorkflowEngine
import WorkflowProtocol
import WorkflowStore

/// The engine's and the store's values as the protocol describes them.
enum Conversions {
    static func request(_ request: WorkflowRequest, instance: String) -> RequestInfo {
        RequestInfo(instance: instance, id: request.id, executor: request.executor, payload: request.payload, schema: request.schema,
                    runId: request.runID, superstep: request.superstep, time: Timestamp.format(request.time))
    }

    static func summary(_ record: InstanceRecord, currentHash: String?) -> InstanceInfo {
        var info = InstanceInfo(name: record.name, definition: record.definition, definitionHash: record.definitionHash, status: record.status,
                                owner: record.ownerUID, onBusy: record.onBusy, createdAt: Timestamp.format(record.createdAt))
        if let currentHash { info.upgradeAvailable = currentHash != record.definitionHash }
        if let from = record.forkedFrom, let checkpoint = record.forkedFromCheckpoint {
            info.forkedFrom = InstanceInfo.Origin(instance: from, checkpointId: checkpoint)
        }
        return info
    }

    /// Everything `instance.get` says, read from the loaded instance.
    static func details(_ lease: InstanceLease, currentHash: String?) async -> InstanceInfo {
        let instance = lease.instance
        var info = summary(lease.record, currentHash: currentHash)
        info.definitionHash = instance.workflow.graphHash
        let overview = await instance.overview  // one read: the fields describe one moment
        info.status = overview.status.rawValue
        info.activeRunId = overview.activeRunID
        info.queuedRunIds = overview.queuedRunIDs
        info.openRequests = overview.pendingRequests.map { request($0, instance: lease.name) }
        info.head = overview.lineageHead
        info.nextSeq = overview.nextSeq
        info.superstep = overview.superstep
        if let currentHash { info.upgradeAvailable = currentHash != info.definitionHash }
        return info
    }

    static func run(_ result: RunResult, instance: String) -> RunInfo {
        var info = RunInfo(runId: result.runID, instance: instance, status: result.status.rawValue)
        info.outputs = result.outputs
        info.error = result.error?.json
        info.pendingRequests = result.pendingRequests.map(\.id)
        info.supersteps = result.supersteps
        return info
    }

    static func run(_ stored: StoredRun) -> RunInfo {
        var info = RunInfo(runId: stored.id, instance: stored.instance, status: stored.status)
        info.trigger = stored.trigger
        info.input = stored.input
        info.outputs = stored.outputs.arrayValue
        info.error = stored.error
        info.startedAt = Timestamp.format(stored.startedAt)
        info.endedAt = stored.endedAt.map(Timestamp.format)
        info.supersteps = stored.supersteps
        return info
    }

    static func checkpoint(_ summary: CheckpointSummary, label: String?, head: String?) -> CheckpointInfo {
        CheckpointInfo(id: summary.id, parentId: summary.parentID, instance: summary.instance, runId: summary.runID,
                       reason: summary.reason.rawValue, superstep: summary.superstep, time: Timestamp.format(summary.time),
                       status: summary.status.rawValue, openRequests: summary.openRequests, messagesInFlight: summary.messagesInFlight,
                       label: label, head: summary.id == head)
    }
}

import WorkflowConcurrency
import WorkflowJSON
import WorkflowEngine

/// `kind: workflow`: runs another definition as a sub-workflow inside one superstep.
///
/// The child's whole state lives in this executor's state (a checkpoint, snapshotted into the
/// parent's checkpoints), so rewinds, failed supersteps and resets recurse into it. The child
/// instance itself lives as long as the parent keeps this executor: its `worker` processes serve
/// message after message, as they do in a top-level instance. It is rebuilt from the state only
/// when the state is not the one it is at (after a rewind, a restore, a superstep that failed),
/// and stopped with the executor (reset, rewind, eviction, shutdown). The child's outputs are
/// sent on; its requests surface on the parent with the same id, and a response to one is handed
/// back to the child, which continues.
struct SubWorkflowExecutor: Executor {
    /// The live child and the id of the snapshot it is at, shared by the executor's copies
    /// (a superstep works on a copy; only the copy whose state matches may use the child).
    final class LiveChild: Sendable {
        private let slot = Locked<(instance: WorkflowInstance, stateID: String)?>(nil)

        /// The child if it is at `stateID`; otherwise the stale one is handed back to be stopped.
        func take(at stateID: String?) -> (current: WorkflowInstance?, stale: WorkflowInstance?) {
            slot.withLock { slot in
                guard let live = slot else { return (nil, nil) }
                slot = nil
                return live.stateID == stateID ? (live.instance, nil) : (nil, live.instance)
            }
        }

        /// Keeps `instance`, now at `stateID`; returns one it replaces, to be stopped.
        func keep(_ instance: WorkflowInstance, at stateID: String) -> WorkflowInstance? {
            slot.withLock { slot in
                defer { slot = (instance, stateID) }
                return slot.map(\.instance).flatMap { $0 === instance ? nil : $0 }
            }
        }

        func takeAll() -> WorkflowInstance? {
            slot.withLock { slot in
                defer { slot = nil }
                return slot?.instance
            }
        }
    }

    let child: Workflow
    /// The child's state (nil: a fresh child).
    var state: Checkpoint?
    /// Child requests already raised on the parent.
    var surfaced: Set<String> = []
    let live = LiveChild()

    init(child: Workflow) { self.child = child }

    var runsInline: Bool { false }

    mutating func handle(_ message: JSON, context: inout ExecutorContext) async throws {
        let instance = try await makeChild(context)
        let result: RunResult
        do {
            result = try await instance.run(message)
        } catch {
            await instance.shutdown()
            throw error
        }
        try await finish(result, instance, context: &context)
    }

    mutating func handleResponse(_ response: JSON, to request: WorkflowRequest, context: inout ExecutorContext) async throws {
        let instance = try await makeChild(context)
        let result: RunResult
        do {
            let outcome = try await instance.respond(to: request.id, with: response)
            result = try await instance.result(of: outcome.runID)
        } catch {
            await instance.shutdown()
            throw error
        }
        surfaced.remove(request.id)
        try await finish(result, instance, context: &context)
    }

    /// The live child if it is at this executor's state, else one rebuilt from the state.
    private func makeChild(_ context: ExecutorContext) async throws -> WorkflowInstance {
        let (current, stale) = live.take(at: state?.id)
        if let stale { await stale.shutdown() }
        if let current { return current }
        let name = context.instanceName + "/" + context.executorID
        if let state {
            return try WorkflowInstance(name: name, workflow: child, restoring: state)
        }
        return WorkflowInstance(name: name, workflow: child)
    }

    private mutating func finish(_ result: RunResult, _ instance: WorkflowInstance, context: inout ExecutorContext) async throws {
        let snapshot: Checkpoint
        do {
            snapshot = try await instance.snapshot()
        } catch {
            await instance.shutdown()
            throw error
        }
        switch result.status {
        case .failed:
            await instance.shutdown()
            throw WorkflowError(.executorFailed, "sub-workflow '\(child.name)' failed: \(result.error?.message ?? "unknown error")")
        case .cancelled:
            await instance.shutdown()
            throw CancellationError()
        default:
            break
        }
        // The child lives on, at this state, for the next message (its workers with it).
        if let replaced = live.keep(instance, at: snapshot.id) { await replaced.shutdown() }
        state = snapshot
        for output in result.outputs { context.send(output) }
        for request in result.pendingRequests where !surfaced.contains(request.id) {
            surfaced.insert(request.id)
            context.requestInfo(request.payload, schema: request.schema, id: request.id)
        }
    }

    /// Stops the live child (and its workers): the parent replaced or dropped this executor.
    func shutdown() async {
        await live.takeAll()?.shutdown()
    }

    func snapshot() throws -> JSON {
        guard let state else { return .null }
        return ["child": state.json, "surfaced": .array(surfaced.sorted().map { .string($0) })]
    }

    mutating func restore(from snapshot: JSON) throws {
        guard !snapshot.isNull else { return }
        guard let child = snapshot["child"] else {
            throw WorkflowError(.invalidCheckpoint, "a sub-workflow snapshot needs its 'child' checkpoint")
        }
        state = try Checkpoint(json: child)
        surfaced = Set(snapshot["surfaced"]?.arrayValue?.compactMap(\.stringValue) ?? [])
    }
}

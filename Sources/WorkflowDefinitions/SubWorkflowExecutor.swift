import WorkflowEngine

/// `kind: workflow`: runs another definition as a sub-workflow inside one superstep.
///
/// The child's whole state lives in this executor's state (a checkpoint, snapshotted into the
/// parent's checkpoints), so rewinds, failed supersteps and resets recurse into it. For each
/// message a child instance is rebuilt from that state, runs to quiescence, and is snapshotted
/// back. The child's outputs are sent on; its requests surface on the parent with the same id,
/// and a response to one is handed back to the child, which continues.
struct SubWorkflowExecutor: Executor {
    let child: Workflow
    /// The child's state (nil: a fresh child).
    var state: Checkpoint?
    /// Child requests already raised on the parent.
    var surfaced: Set<String> = []

    var runsInline: Bool { false }

    mutating func handle(_ message: JSON, context: inout ExecutorContext) async throws {
        let instance = try makeChild(context)
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
        let instance = try makeChild(context)
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

    private func makeChild(_ context: ExecutorContext) throws -> WorkflowInstance {
        let name = context.instanceName + "/" + context.executorID
        if let state {
            return try WorkflowInstance(name: name, workflow: child, restoring: state)
        }
        return WorkflowInstance(name: name, workflow: child)
    }

    private mutating func finish(_ result: RunResult, _ instance: WorkflowInstance, context: inout ExecutorContext) async throws {
        let snapshot = try await instance.snapshot()
        await instance.shutdown()
        switch result.status {
        case .failed:
            throw WorkflowError(.executorFailed, "sub-workflow '\(child.name)' failed: \(result.error?.message ?? "unknown error")")
        case .cancelled:
            throw CancellationError()
        default:
            break
        }
        state = snapshot
        for output in result.outputs { context.send(output) }
        for request in result.pendingRequests where !surfaced.contains(request.id) {
            surfaced.insert(request.id)
            context.requestInfo(request.payload, schema: request.schema, id: request.id)
        }
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

import WorkflowEngine

/// `kind: worker`: each message becomes an `execute` call to the executor's worker process
/// (see ``WorkerProcess``); the result's `actions` are applied as an `exec` program's would be.
struct WorkerExecutor: Executor {
    let worker: WorkerProcess
    let retries: Int
    let backoff: Double
    var runsInline: Bool { false }

    mutating func handle(_ message: JSON, context: inout ExecutorContext) async throws {
        let document = ProgramCall.document(message, context)
        let worker = self.worker
        try await ProgramCall.withRetries("worker " + worker.configuration.program, retries: retries, backoff: backoff,
                                          context: &context) {
            try Self.actions(try await worker.execute(document))
        }
    }

    /// `{"actions": [...]}` → actions; `null` → none.
    static func actions(_ result: JSON) throws -> [ExecAction] {
        if result.isNull { return [] }
        guard case .array(let list)? = result["actions"] else {
            throw ExecFailure(description: "the worker's result must be {\"actions\": [...]}, got \(result.serialized().prefix(200))")
        }
        var actions: [ExecAction] = []
        for (index, item) in list.enumerated() {
            guard let action = ExecAction(item) else {
                throw ExecFailure(description: "action \(index) of the worker's result is not send, output, setState or event: \(item.serialized().prefix(200))")
            }
            actions.append(action)
        }
        return actions
    }

    func shutdown() async {
        await worker.shutdown()
    }
}

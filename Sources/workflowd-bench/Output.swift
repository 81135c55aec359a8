import WorkflowEngine

/// Yields its input as a workflow output.
struct Output: Executor {
    var runsInline: Bool { true }
    mutating func handle(_ message: JSON, context: inout ExecutorContext) async throws {
        context.yieldOutput(message)
    }
}

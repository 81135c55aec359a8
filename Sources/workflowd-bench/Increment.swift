import WorkflowEngine

/// Adds 1 to a numeric message and sends it on.
struct Increment: Executor {
    var runsInline: Bool { true }
    mutating func handle(_ message: JSON, context: inout ExecutorContext) async throws {
        context.send(.number((message.doubleValue ?? 0) + 1))
    }
}

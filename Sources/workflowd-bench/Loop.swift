import WorkflowEngine

/// Sends the message back to itself until it reaches `limit`, then yields it.
struct Loop: Executor {
    let limit: Double
    var runsInline: Bool { true }
    mutating func handle(_ message: JSON, context: inout ExecutorContext) async throws {
        let value = (message.doubleValue ?? 0) + 1
        if value < limit { context.send(.number(value)) } else { context.yieldOutput(.number(value)) }
    }
}

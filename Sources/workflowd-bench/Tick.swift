import WorkflowEngine

/// Counts in shared state (one small key per superstep) until `limit`, then yields.
struct Tick: Executor {
    let limit: Double
    var runsInline: Bool { true }
    mutating func handle(_ message: JSON, context: inout ExecutorContext) async throws {
        let value = (message.doubleValue ?? 0) + 1
        context.setState("counter", .number(value))
        if value < limit { context.send(.number(value)) } else { context.yieldOutput(.number(value)) }
    }
}

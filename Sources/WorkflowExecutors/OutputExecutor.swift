import JMESPath
import WorkflowEngine

/// `kind: output`: yields its input as a workflow output.
struct OutputExecutor: Executor {
    var runsInline: Bool { true }
    mutating func handle(_ message: JSON, context: inout ExecutorContext) async throws {
        context.yieldOutput(message)
    }
}

import JMESPath
import WorkflowEngine

/// `kind: transform`: sends what its JMESPath expression gives over `{message, state}`.
struct TransformExecutor: Executor {
    let expression: JMESPathExpression
    var runsInline: Bool { true }

    mutating func handle(_ message: JSON, context: inout ExecutorContext) async throws {
        context.send(try expression.evaluate(ExpressionInput.of(message, context.state)))
    }
}

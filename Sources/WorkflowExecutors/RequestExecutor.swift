import JMESPath
import WorkflowEngine

/// `kind: request`: asks a person. The request's payload is `{prompt, message}` (or what the
/// `payload` expression gives over `{message, state}`); the response must satisfy `schema`
/// (checked by the instance's validator before it is accepted). When answered it sends
/// `{requestId, request, response}` on.
struct RequestExecutor: Executor {
    let prompt: String?
    let payload: JMESPathExpression?
    let schema: JSON
    var runsInline: Bool { true }

    mutating func handle(_ message: JSON, context: inout ExecutorContext) async throws {
        let body: JSON
        if let payload {
            body = try payload.evaluate(ExpressionInput.of(message, context.state))
        } else {
            body = ["prompt": prompt.map { .string($0) } ?? nil, "message": message]
        }
        context.requestInfo(body, schema: schema)
    }
}

import JMESPath
import JSONSchema
import WorkflowEngine

/// `kind: request`: asks a person. The request's payload is `{prompt, message}` (or what the
/// `payload` expression gives over `{message, state}`); the response must satisfy `schema`
/// (checked by the instance's validator before it is accepted). When answered it sends
/// `{requestId, request, response}` on. With a `timeout`, a request nobody answers in time
/// closes (`request_timed_out`) and ``onTimeout`` decides for the person.
struct RequestExecutor: Executor {
    let prompt: String?
    let payload: JMESPathExpression?
    let schema: JSON
    let timeout: Double?
    let onTimeout: RequestTimeoutAction
    var runsInline: Bool { true }

    mutating func handle(_ message: JSON, context: inout ExecutorContext) async throws {
        let body: JSON
        if let payload {
            body = try payload.evaluate(ExpressionInput.of(message, context.state))
        } else {
            body = ["prompt": prompt.map { .string($0) } ?? nil, "message": message]
        }
        context.requestInfo(body, schema: schema, timeout: timeout)
    }

    mutating func handleWake(_ wake: WorkflowWake, context: inout ExecutorContext) async throws {
        guard let requestID = wake.wait.requestID else {
            context.send(wake.message)
            return
        }
        let request = wake.wait.input
        let expiredAt = Timestamp.format(wake.wait.due ?? wake.firedAt)
        switch onTimeout {
        case .fail:
            throw WorkflowError(.executorFailed, "request \(requestID) timed out at \(expiredAt) without an answer (onTimeout: fail)",
                                details: ["requestId": .string(requestID)])
        case .respond(let value):
            try send(value, for: requestID, request: request, context: &context)
        case .respondWith(let expression):
            let value = try expression.evaluate(ExpressionInput.of(request, context.state))
            try send(value, for: requestID, request: request, context: &context)
        case .to(let target):
            context.send(["requestId": .string(requestID), "request": request, "timedOut": true, "expiredAt": .string(expiredAt)], to: target)
        }
    }

    /// Sends the answer given for the person on, as a person's would go (with `timedOut: true`),
    /// once it satisfies the request's schema like a person's must.
    private func send(_ value: JSON, for requestID: String, request: JSON, context: inout ExecutorContext) throws {
        if let compiled = try? JSONSchema(schema) {
            let problems = compiled.validate(value)
            if !problems.isEmpty {
                throw WorkflowError(.executorFailed, "request \(requestID) timed out, and the answer onTimeout gives does not match its schema: "
                                        + problems.prefix(5).map(\.description).joined(separator: "; "),
                                    details: ["requestId": .string(requestID), "response": value])
            }
        }
        context.send(["requestId": .string(requestID), "request": request, "response": value, "timedOut": true])
    }
}

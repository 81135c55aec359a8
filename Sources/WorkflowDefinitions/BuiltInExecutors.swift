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
            body = try payload.evaluate(DefinitionCompiler.input(message, context.state))
        } else {
            body = ["prompt": prompt.map { .string($0) } ?? nil, "message": message]
        }
        context.requestInfo(body, schema: schema)
    }
}

/// `kind: transform`: sends what its JMESPath expression gives over `{message, state}`.
struct TransformExecutor: Executor {
    let expression: JMESPathExpression
    var runsInline: Bool { true }

    mutating func handle(_ message: JSON, context: inout ExecutorContext) async throws {
        context.send(try expression.evaluate(DefinitionCompiler.input(message, context.state)))
    }
}

/// `kind: join`: a fan-in target. Sends the list it receives, or with `merge: true` the objects
/// of the list merged into one (later sources win on a shared key).
struct JoinExecutor: Executor {
    let merge: Bool
    var runsInline: Bool { true }

    mutating func handle(_ message: JSON, context: inout ExecutorContext) async throws {
        guard merge else {
            context.send(message)
            return
        }
        guard case .array(let parts) = message else {
            throw WorkflowError(.executorFailed, "join with merge: true needs a list of objects, got \(message.typeName)")
        }
        var merged = JSONObject()
        for (index, part) in parts.enumerated() {
            guard case .object(let object) = part else {
                throw WorkflowError(.executorFailed, "join with merge: true needs objects, got \(part.typeName) at position \(index)")
            }
            for (key, value) in object { merged[key] = value }
        }
        context.send(.object(merged))
    }
}

/// `kind: output`: yields its input as a workflow output.
struct OutputExecutor: Executor {
    var runsInline: Bool { true }
    mutating func handle(_ message: JSON, context: inout ExecutorContext) async throws {
        context.yieldOutput(message)
    }
}

import JMESPath
import WorkflowEngine

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

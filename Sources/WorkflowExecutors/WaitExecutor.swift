import JMESPath
import WorkflowEngine

/// `kind: wait`: sends its input on when a duration passes (`for`), a time comes (`until`, an
/// expression over `{message, state}` giving an RFC 3339 time), or a named signal arrives
/// (`signal`), whichever is first; the message it sends says which (see ``WorkflowWake/message``).
/// The wait is the instance's (durable, checkpointed): no process and no task waits meanwhile.
struct WaitExecutor: Executor {
    let duration: Double?
    let until: JMESPathExpression?
    let signal: String?
    var runsInline: Bool { true }

    mutating func handle(_ message: JSON, context: inout ExecutorContext) async throws {
        var time: Double?
        if let until {
            let value = try until.evaluate(ExpressionInput.of(message, context.state))
            switch value {
            case .null:
                // No time for this message: the duration or the signal decide.
                break
            case .string(let text):
                do {
                    time = try Timestamp.parse(text, path: "until")
                } catch {
                    throw WorkflowError(.executorFailed, "'until' gave \"\(text.prefix(60))\", which is not an RFC 3339 time (like 2026-12-05T09:00:00Z or 2026-12-05T10:00:00+01:00)")
                }
            default:
                throw WorkflowError(.executorFailed, "'until' gave \(value.typeName), not an RFC 3339 time (like 2026-12-05T09:00:00Z)")
            }
        }
        guard duration != nil || time != nil || signal != nil else {
            throw WorkflowError(.executorFailed, "'until' gave null and the wait has no 'for' nor 'signal': it would never end")
        }
        try context.wait(for: duration, until: time, signal: signal, input: message)
    }
}

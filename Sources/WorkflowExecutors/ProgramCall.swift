import Tracing
import WorkflowEngine
import WorkflowTelemetry

/// What `exec` and `worker` executors share: the input document and the retry policy.
enum ProgramCall {
    /// Variables of the daemon's service manager that a step's program must not see (a step
    /// must not be able to mark the service ready or stopping, ping its watchdog, or take its
    /// sockets); a definition's own `env` still wins.
    static let withheldVariables = ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES",
                                    "JOURNAL_STREAM", "TRACEPARENT", "TRACESTATE"]

    /// The `traceparent` of the step's span, when the daemon traces (W3C Trace Context: a traced
    /// program continues the run's trace from it).
    static var traceparent: String? { ServiceContext.current?.traceContext?.traceparent }

    /// `{message, state, instance, runId, executor, superstep, attempt}` (`attempt`: which try of
    /// the message this is, under a `retry` policy; 1 otherwise), and `traceparent` when traced.
    static func document(_ message: JSON, _ context: ExecutorContext) -> JSON {
        var document: JSONObject = [
            "message": message, "state": .object(context.state), "instance": .string(context.instanceName),
            "runId": .string(context.runID), "executor": .string(context.executorID), "superstep": .number(Double(context.superstep)),
            "attempt": .number(Double(context.attempt)),
        ]
        if let traceparent { document["traceparent"] = .string(traceparent) }
        return .object(document)
    }

    /// Runs `attempt` until it succeeds, retrying an ``ExecFailure`` `retries` times with
    /// exponential backoff (each retry announced in a warning), then applies its actions.
    static func withRetries(_ program: String, retries: Int, backoff: Double, context: inout ExecutorContext,
                            attempt: () async throws -> [ExecAction]) async throws {
        var attempts = 0
        while true {
            do {
                for action in try await attempt() { action.apply(to: &context) }
                return
            } catch let failure as ExecFailure {
                attempts += 1
                guard attempts <= retries, !Task.isCancelled else {
                    let tries = attempts > 1 ? " (after \(attempts) attempts)" : ""
                    throw WorkflowError(.executorFailed, "\(program)\(tries): \(failure)", details: failure.details)
                }
                let delay = backoff * Double(1 << min(attempts - 1, 16))
                context.warn("attempt \(attempts) of \(program) failed (\(failure)); retrying in \(delay)s")
                try await Task.sleep(for: .seconds(delay))
            }
        }
    }
}

/// The types of the events an instance logs (docs/semantics.md §3.6): the `type` member of every
/// event on the wire. The OpenRPC document's `Event` schema lists these, and the client reads
/// events into ``EventBody`` by them.
public enum EventType: String, Codable, Sendable, Hashable, CaseIterable {
    case runStarted = "run_started"
    case status
    case superstepStarted = "superstep_started"
    case superstepCompleted = "superstep_completed"
    case executorInvoked = "executor_invoked"
    case executorCompleted = "executor_completed"
    case executorFailed = "executor_failed"
    case output
    case request
    case responseAccepted = "response_accepted"
    case checkpointSaved = "checkpoint_saved"
    case warning
    case runFailed = "run_failed"
    case instanceReset = "instance_reset"
    case instanceRewound = "instance_rewound"
    case instanceForked = "instance_forked"
    case runRecovered = "run_recovered"
    case custom
    case timerFired = "timer_fired"
    case signalReceived = "signal_received"
    case requestTimedOut = "request_timed_out"
    /// An executor's try failed and its retry policy tries again after a delay.
    case executorRetrying = "executor_retrying"
    /// A model answered an `llm` step (`content`, `toolCalls?`, `usage`, `model`, `round`).
    case llmMessage = "llm_message"
    /// Text a model is streaming for an `llm` step: live only (`live: true`), never in the log.
    case llmDelta = "llm_delta"
}

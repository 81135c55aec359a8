import JMESPath
import WorkflowEngine
import WorkflowJSON

/// The executor kinds a definition may name, made from what the definition language checked.
/// Each call makes a fresh executor (an instance's factory runs for every instance and reset).
package enum BuiltInExecutors {
    /// `request`: raises a request for a person (`prompt`, or the `payload` expression's value)
    /// whose answer must match `schema`; after `timeout` seconds unanswered, `onTimeout` decides.
    package static func request(prompt: String?, payload: JMESPathExpression?, schema: JSON, timeout: Double? = nil,
                                onTimeout: RequestTimeoutAction = .fail) -> any Executor {
        RequestExecutor(prompt: prompt, payload: payload, schema: schema, timeout: timeout, onTimeout: onTimeout)
    }

    /// `wait`: sends its input on after `duration` seconds, at the time `until` gives, or when the
    /// signal named `signal` arrives, whichever is first.
    package static func wait(for duration: Double?, until: JMESPathExpression?, signal: String?) -> any Executor {
        WaitExecutor(duration: duration, until: until, signal: signal)
    }

    /// `transform`: sends the expression's value over `{message, state}`.
    package static func transform(_ expression: JMESPathExpression) -> any Executor {
        TransformExecutor(expression: expression)
    }

    /// `join`: waits for a message on every incoming edge of a fan-in, then sends them together
    /// (as a list, or merged into one object).
    package static func join(merge: Bool) -> any Executor {
        JoinExecutor(merge: merge)
    }

    /// `output`: yields each message as an output of the run.
    package static func output() -> any Executor {
        OutputExecutor()
    }

    /// `exec`: runs a program per message, in a process group of its own.
    package static func exec(_ configuration: ExecConfiguration) -> any Executor {
        ExecExecutor(configuration: configuration)
    }

    /// `worker`: a long-lived program that answers one message per line, started on first use.
    package static func worker(_ configuration: ExecConfiguration) -> any Executor {
        WorkerExecutor(worker: WorkerProcess(configuration: configuration), retries: configuration.retries, backoff: configuration.backoff)
    }

    /// `llm`: a conversation with an OpenAI-compatible model, its tools the workflow's executors.
    package static func llm(_ configuration: LLMConfiguration, id: String) -> any Executor {
        LLMExecutor(configuration: configuration, executorID: id)
    }
    /// `workflow`: runs `child` as a sub-workflow, its state kept in the executor's snapshot.
    package static func workflow(_ child: Workflow) -> any Executor {
        SubWorkflowExecutor(child: child)
    }
}

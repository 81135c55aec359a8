/// Where the tasks that drive runs execute. By default on Swift's global concurrent executor; a
/// host that serves requests from an event loop (the daemon) sets ``preferredExecutor`` for the
/// requests it handles, and a run started by one of them is driven on that executor too: the
/// request, the instance and its supersteps then share a thread, and a run answered with its
/// result crosses no thread but its store's.
public enum RunExecution {
    /// The task executor that runs started from this task are driven on (nil: no preference).
    /// A task-local value: set it with `RunExecution.$preferredExecutor.withValue(_:operation:)`;
    /// tasks a run creates inherit it, so a run that starts another (a continuation, a queued
    /// run) keeps its executor.
    @TaskLocal public static var preferredExecutor: (any TaskExecutor)?

}

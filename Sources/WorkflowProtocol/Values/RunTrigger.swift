/// What started a run.
public enum RunTrigger: String, WireEnum {
    /// `run.start` with an input.
    case input
    /// An answer to a request, while no run was active (a continuation).
    case response
    /// A rewind or fork to a checkpoint with work in flight.
    case rewind
    /// A restart took up a run the previous process left in progress.
    case recovery
    /// A wait's time came.
    case timer
    /// A signal woke a wait.
    case signal
    /// `run.retry`: the work a failed or cancelled run left, taken up again.
    case retry
    /// A schedule's fire (`schedule` in the run's info says which, and for when).
    case schedule
}

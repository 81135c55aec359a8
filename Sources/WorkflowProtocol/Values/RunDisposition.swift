/// What `run.start` (or an answer) did with the run.
public enum RunDisposition: String, WireEnum {
    /// It started now.
    case started
    /// It waits in the instance's queue.
    case queued
    /// The idempotency key's run, started before.
    case existing
    /// An answer was delivered to the active run, which goes on.
    case continued
}

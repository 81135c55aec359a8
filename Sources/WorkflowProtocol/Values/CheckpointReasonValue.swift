/// Why a checkpoint was written.
public enum CheckpointReasonValue: String, WireEnum {
    /// A run began.
    case runStarted = "run_started"
    /// A superstep's boundary.
    case superstep
    /// An answer was accepted.
    case responseAccepted = "response_accepted"
    /// A wait fired (its wake is in flight).
    case waitFired = "wait_fired"
    /// A signal was kept for a wait to come.
    case signalKept = "signal_kept"
    /// On demand (`checkpoint.create`).
    case manual
}

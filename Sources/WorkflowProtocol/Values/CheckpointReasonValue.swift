/// Why a checkpoint was written.
public enum CheckpointReasonValue: String, WireEnum {
    /// A run began.
    case runStarted = "run_started"
    /// A superstep's boundary.
    case superstep
    /// An answer was accepted.
    case responseAccepted = "response_accepted"
    /// On demand (`checkpoint.create`).
    case manual
}

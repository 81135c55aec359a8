/// What recovery does with a run that was in progress when the process stopped.
public enum RecoveryMode: String, Sendable, Hashable, CaseIterable {
    /// Resume it from the lineage head (`run_recovered`; the interrupted superstep runs again, so
    /// its side effects are at-least-once).
    case resume
    /// Record it as failed (`run_failed` with code `interrupted`); a rewind can retry it.
    case fail
}

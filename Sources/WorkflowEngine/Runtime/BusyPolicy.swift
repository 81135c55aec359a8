/// What an instance does when a run is asked for while another is active.
public enum BusyPolicy: String, Sendable, Hashable {
    /// Refuse at once with `instanceBusy` (the default).
    case reject
    /// Queue the run (FIFO); it starts when the active one ends.
    case queue
}

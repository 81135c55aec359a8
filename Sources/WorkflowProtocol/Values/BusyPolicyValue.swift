/// What `run.start` does while a run is active.
public enum BusyPolicyValue: String, WireEnum {
    /// Refuse it (`instanceBusy`).
    case reject
    /// Queue it (durably) behind the active run.
    case queue
}

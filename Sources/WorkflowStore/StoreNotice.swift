/// What another host told this one through the database (PostgreSQL's LISTEN/NOTIFY): a wake-up
/// only; what it is about is read from the tables (a notice lost is found by the next poll).
public enum StoreNotice: Sendable, Equatable {
    /// Commands wait for this host.
    case commands
    /// The command with this id, sent by this host, has its answer.
    case answer(Int64)
    /// New events are in this instance's log (told to every host: one may be reading it).
    case events(String)
}

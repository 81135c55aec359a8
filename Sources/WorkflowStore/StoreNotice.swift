/// What another host told this one through the database (PostgreSQL's LISTEN/NOTIFY): a wake-up
/// only; what it is about is read from the tables (a notice lost is found by the next poll).
public enum StoreNotice: Sendable, Equatable {
    /// Commands wait for this host.
    case commands
    /// The command with this id, sent by this host, has its answer.
    case answer(Int64)
    /// New events are in this instance's log (told by its owner, to every host, while one of
    /// them reads the log for a subscriber).
    case events(String)
    /// A host reads this instance's log for a subscriber: its owner (whichever host that is, now
    /// or later) announces its new events for a while (``SQLStore/noteWatched(instance:)``).
    case watch(String)
}

/// Watches what an instance commits, for what is counted rather than kept (a daemon's metrics).
///
/// The instance calls ``delivered(_:)`` with each batch of events once the store has committed
/// it, the same events its subscribers get, in seq order. The call is made on the instance's own
/// executor while the instance waits: an observer counts and returns, it never blocks or awaits.
public protocol InstanceObserver: Sendable {
    /// Events the instance has committed and is handing to its subscribers.
    func delivered(_ events: [WorkflowEvent])
}

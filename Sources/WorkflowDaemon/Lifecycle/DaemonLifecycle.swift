import Synchronization

/// The daemon's one ``DaemonPhase``, shared by the parts that act on it (the service, the
/// dispatcher, the registry, the connections): each transition is taken under a lock and returns
/// the machine's action, so two events never both act on the same phase.
final class DaemonLifecycle: Sendable {
    private let phase = Mutex(DaemonPhase())

    /// A lifecycle in ``DaemonPhase/State/starting``.
    init() {}

    /// The phase now.
    var state: DaemonPhase.State { phase.withLock { $0.state } }
    /// See ``DaemonPhase/loadsInstances``.
    var loadsInstances: Bool { phase.withLock { $0.loadsInstances } }
    /// See ``DaemonPhase/acceptsWork``.
    var acceptsWork: Bool { phase.withLock { $0.acceptsWork } }
    /// See ``DaemonPhase/isStopping``.
    var isStopping: Bool { phase.withLock { $0.isStopping } }

    /// See ``DaemonPhase/admits(_:alwaysServed:)``.
    func admits(_ method: String, alwaysServed: Set<String>) -> Bool {
        phase.withLock { $0.admits(method, alwaysServed: alwaysServed) }
    }

    /// Applies one transition and returns its action.
    func transition<Action: Sendable>(_ event: (inout DaemonPhase) -> Action) -> Action {
        phase.withLock { event(&$0) }
    }
}

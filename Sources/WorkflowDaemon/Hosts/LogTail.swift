import WorkflowConcurrency

/// A subscription to an instance another host owns, read from the event log by seq (DESIGN.md
/// §12): it reads what is new when the owner's commit is announced (or every second), so the
/// client sees every event once, in order, wherever the instance lives and whichever host dies.
final class LogTail: Sendable {
    /// The instance whose log is read.
    let instance: String
    private let state = Locked<(ended: Bool, wake: Promise<Void>)>((false, Promise()))

    init(instance: String) { self.instance = instance }

    /// Whether the subscription ended (unsubscribed, its connection closed).
    var isEnded: Bool { state.withLock { $0.ended } }

    /// A promise the next ``ring()`` or ``end()`` resolves (taken before each read, so a ring
    /// during the read is not missed).
    func arm() -> Promise<Void> {
        state.withLock { state in
            state.wake = Promise()
            if state.ended { state.wake.resolve(.success(())) }
            return state.wake
        }
    }

    /// New events may be in the log.
    func ring() { state.withLock { $0.wake }.resolve(.success(())) }

    /// Ends the subscription: its reader stops at once.
    func end() {
        let wake = state.withLock { state in
            state.ended = true
            return state.wake
        }
        wake.resolve(.success(()))
    }
}

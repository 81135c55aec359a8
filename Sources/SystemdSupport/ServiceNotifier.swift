/// Tells the service manager what the daemon is doing (sd_notify). Behind a protocol so tests and
/// code that runs without systemd can record or ignore what is sent.
public protocol ServiceNotifier: Sendable {
    /// Sends states in one message. Never throws: a manager that is not listening must not stop
    /// the daemon (the result says whether it was sent).
    @discardableResult
    func notify(_ states: [NotifyState]) -> Bool
}

extension ServiceNotifier {
    @discardableResult
    public func notify(_ state: NotifyState...) -> Bool { notify(state) }
}


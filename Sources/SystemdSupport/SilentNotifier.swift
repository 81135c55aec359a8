/// Sends nothing (no NOTIFY_SOCKET: not started by systemd).
public struct SilentNotifier: ServiceNotifier {
    public init() {}
    public func notify(_ states: [NotifyState]) -> Bool { false }
}

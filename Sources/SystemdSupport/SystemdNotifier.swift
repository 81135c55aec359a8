import CSystemd

/// sd_notify through libsystemd: one datagram per call to `$NOTIFY_SOCKET` (the manager reads
/// the sender's pid from it, so it must be sent by the main process). `NOTIFY_SOCKET` stays set
/// (`unset_environment` is 0: the watchdog and status notify again and again); child processes
/// of workflow steps get an environment without it.
public struct SystemdNotifier: ServiceNotifier {
    public init() {}

    public func notify(_ states: [NotifyState]) -> Bool {
        sd_notify(0, NotifyState.message(states)) > 0
    }

    /// Whether a manager listens (NOTIFY_SOCKET is set).
    public static func isAvailable(environment: [String: String]) -> Bool {
        !(environment["NOTIFY_SOCKET"] ?? "").isEmpty
    }
}

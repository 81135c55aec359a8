/// One assignment of the sd_notify protocol (sd_notify(3)), as workflowd sends them.
public enum NotifyState: Sendable, Hashable {
    /// Start-up (or a reload) is done: the socket accepts and the state is loaded.
    case ready
    /// A one-line status for `systemctl status`.
    case status(String)
    /// A reload began; `monotonicMicroseconds` is CLOCK_MONOTONIC now (systemd 253+ needs it).
    case reloading(monotonicMicroseconds: UInt64)
    /// Shutdown began.
    case stopping
    /// The watchdog keep-alive.
    case watchdog
    /// Extends the start or stop timeout by this much.
    case extendTimeout(microseconds: UInt64)

    /// Its `KEY=VALUE` lines.
    public var assignment: String {
        switch self {
        case .ready: "READY=1"
        case .status(let text): "STATUS=" + text.split(whereSeparator: \.isNewline).joined(separator: " ")
        case .reloading(let usec): "RELOADING=1\nMONOTONIC_USEC=\(usec)"
        case .stopping: "STOPPING=1"
        case .watchdog: "WATCHDOG=1"
        case .extendTimeout(let usec): "EXTEND_TIMEOUT_USEC=\(usec)"
        }
    }

    /// One datagram's text for several states (sent together, in order).
    public static func message(_ states: [NotifyState]) -> String {
        states.map(\.assignment).joined(separator: "\n")
    }
}

/// Why the daemon could not start: what it could not do, and what the system said. The daemon
/// exits with it before READY=1, so the service manager sees the start fail.
public struct DaemonStartFailure: Error, CustomStringConvertible {
    /// The sentence to log.
    public var description: String

    init(_ description: String) { self.description = description }
}

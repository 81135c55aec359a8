/// The daemon's phase as one value: starting, ready, reloading, draining, stopped. Each event of
/// its life is a method that moves the phase and returns the action the daemon must take; the
/// daemon performs it (notifies systemd, closes the listener, suspends runs). The machine does no
/// I/O, so every path through it is tested without a process or a socket
/// (`DaemonPhaseTests`).
///
/// ```
///  starting ──startedServing──▶ ready ◀──reloadEnded── reloading
///     │                          │  └──reloadBegins──▶    │
///     └─────── stopBegins ───────┴────────────────────────┴──▶ draining ──drained──▶ stopped
/// ```
struct DaemonPhase: Sendable, Equatable {
    /// Where the daemon is.
    enum State: Sendable, Equatable {
        /// The database opens, the definitions load, interrupted runs are taken up; nothing is
        /// served yet (connections wait in the socket's backlog).
        case starting
        /// Serving.
        case ready
        /// Serving while the definitions are re-read; `reloads` counts the reloads under way
        /// (SIGHUP and `daemon.reload` may overlap), and READY=1 goes out when the last ends.
        case reloading(reloads: Int)
        /// A graceful stop: no new connections or requests; supersteps in flight finish within
        /// the grace and runs are suspended.
        case draining
        /// Everything is suspended and every connection closed.
        case stopped
    }

    /// The phase now.
    private(set) var state: State = .starting

    /// Whether instances may be loaded: at start (recovery takes up interrupted runs) and while
    /// serving; never once a stop began (what is suspended stays suspended).
    var loadsInstances: Bool {
        switch state {
        case .starting, .ready, .reloading: true
        case .draining, .stopped: false
        }
    }

    /// Whether requests are served (beyond those served in every phase).
    var acceptsWork: Bool {
        switch state {
        case .ready, .reloading: true
        case .starting, .draining, .stopped: false
        }
    }

    /// Whether the daemon is stopping (or stopped): subscriptions end with reason `shutdown`.
    var isStopping: Bool {
        switch state {
        case .draining, .stopped: true
        case .starting, .ready, .reloading: false
        }
    }

    /// Whether a request for a method is served now. `daemon.ping` and `daemon.status` are
    /// answered in every phase (an operator watches a stop through them); everything else only
    /// while the daemon serves.
    func admits(_ method: String, alwaysServed: Set<String>) -> Bool {
        acceptsWork || alwaysServed.contains(method)
    }

    // MARK: Events

    /// What to do when start-up has finished.
    enum StartAction: Sendable, Equatable {
        /// Tell the service manager (READY=1) and serve.
        case notifyReady
        /// A stop came during start-up: serve nothing, go on stopping.
        case none
    }

    /// Start-up finished: the socket accepts.
    mutating func startedServing() -> StartAction {
        guard state == .starting else { return .none }
        state = .ready
        return .notifyReady
    }

    /// What to do when a reload is asked for.
    enum ReloadAction: Sendable, Equatable {
        /// Tell the service manager (RELOADING=1), then re-read the definitions.
        case notifyReloadingAndReload
        /// Another reload is under way (it told the service manager): re-read all the same, so
        /// that this caller sees the files as they are now.
        case reload
        /// The daemon is not serving (starting or stopping): nothing is re-read.
        case refuse
    }

    /// A reload is asked for (SIGHUP or `daemon.reload`).
    mutating func reloadBegins() -> ReloadAction {
        switch state {
        case .ready:
            state = .reloading(reloads: 1)
            return .notifyReloadingAndReload
        case .reloading(let reloads):
            state = .reloading(reloads: reloads + 1)
            return .reload
        case .starting, .draining, .stopped:
            return .refuse
        }
    }

    /// What to do when a reload has re-read the definitions.
    enum ReloadEndAction: Sendable, Equatable {
        /// The last reload under way ended: READY=1 and the new STATUS=.
        case notifyReady
        /// Others are still under way, or the daemon began stopping meanwhile: say nothing.
        case none
    }

    /// A reload that ``reloadBegins()`` let through has ended.
    mutating func reloadEnded() -> ReloadEndAction {
        guard case .reloading(let reloads) = state else { return .none }
        if reloads > 1 {
            state = .reloading(reloads: reloads - 1)
            return .none
        }
        state = .ready
        return .notifyReady
    }

    /// What to do when a graceful stop is asked for.
    enum StopAction: Sendable, Equatable {
        /// Tell the service manager (STOPPING=1), stop accepting and reading requests, suspend
        /// the runs, close the connections.
        case drain
        /// Already draining or stopped.
        case none
    }

    /// A graceful stop is asked for (SIGTERM, SIGINT); a reload under way is abandoned (it ends
    /// without READY=1: the service manager already knows the daemon stops).
    mutating func stopBegins() -> StopAction {
        switch state {
        case .starting, .ready, .reloading:
            state = .draining
            return .drain
        case .draining, .stopped:
            return .none
        }
    }

    /// The drain finished: runs suspended, connections closed.
    mutating func drained() {
        state = .stopped
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WorkflowConcurrency
import WorkflowJSON

/// The process groups of every program that steps of this process started and that may still
/// run (exec steps, workers, their children). A stopping daemon ends them itself, within its own
/// stop budget, instead of leaving a step that ignores SIGTERM to its service manager's SIGKILL.
public enum ProcessGroups {
    private static let live = Locked<Set<pid_t>>([])

    static func started(_ pgid: pid_t) {
        _ = live.withLock { $0.insert(pgid) }
    }

    static func ended(_ pgid: pid_t) {
        _ = live.withLock { $0.remove(pgid) }
    }

    /// How many groups may still run.
    public static var count: Int { live.withLock { $0.count } }

    /// Sends `signal` to every group that may still run; returns how many it reached.
    @discardableResult
    public static func signalAll(_ signal: Int32) -> Int {
        live.withLock { groups in groups.filter { kill(-$0, signal) == 0 }.count }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WorkflowConcurrency
import WorkflowJSON

/// The process group of one program run (its pgid is the program's pid). Killing it waits,
/// briefly and without blocking the cooperative pool, until none of its processes is still
/// running, so a cancelled or finished step leaves nothing behind. Every group is known to
/// ``ProcessGroups`` from its start until it was killed.
final class ProcessGroup: Sendable {
    private let leader = Locked<pid_t?>(nil)

    func started(_ pid: pid_t) {
        leader.withLock { $0 = pid }
        ProcessGroups.started(pid)
    }

    /// The leader's pid (the group's id), once started.
    var pid: pid_t? { leader.withLock { $0 } }

    /// Sends SIGKILL to the whole group and waits (at most `timeout`) until its members are gone.
    func killAndWait(timeout: Double = 2) async {
        guard let pgid = leader.withLock({ $0 }), pgid > 0 else { return }
        defer { ProcessGroups.ended(pgid) }
        guard kill(-pgid, SIGKILL) == 0 else { return }  // ESRCH: nothing left
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        var pause = 0.001
        while ContinuousClock.now < deadline {
            let running = (try? await BlockingWork.run { Self.hasRunningMembers(pgid) }) ?? false
            if !running { return }
            await BlockingWork.pause(pause)
            pause = min(pause * 2, 0.05)
        }
    }

    /// Whether a process of group `pgid` is still running (zombies have stopped; they only wait
    /// to be reaped).
    static func hasRunningMembers(_ pgid: pid_t) -> Bool {
        guard let directory = opendir("/proc") else { return false }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let pid = Int32(name), let stat = readSmallFile("/proc/\(pid)/stat"),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, let group = Int32(fields[2]) else { continue }
            if group == pgid && fields[0] != "Z" && fields[0] != "X" { return true }
        }
        return false
    }

    static func readSmallFile(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { Glibc.close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 1024)
        let count = read(descriptor, &buffer, buffer.count)
        return count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : nil
    }
}

import Foundation
import WorkflowConcurrency
import WorkflowJSON
import WorkflowTestSupport

/// A Debian system booted with systemd as PID 1 (`systemd-nspawn --boot`) for the length of one
/// test, with workflowd installed into it as an operator would: `Contrib/install.sh` from the
/// release build, `systemd-sysusers`, `systemctl enable --now workflowd.socket`. The tree
/// (`Contrib/dev/systemd-tree`, named by `WORKFLOWD_SYSTEMD_TREE`) has no Swift toolchain, and the
/// machine writes nothing back to it (`--volatile=overlay`: its changes live in memory). Commands
/// run inside through `nsenter`, each bounded in time.
package final class SystemdMachine: Sendable {
    package struct Failure: Error, CustomStringConvertible {
        package var description: String
        package init(description: String) { self.description = description }
    }

    /// The cached tree and the release binaries, from `Contrib/dev/test`; nil when the suite runs
    /// without them (`swift test` alone), or under a sanitizer (the machine runs the release
    /// build, which the sanitized suite does not test).
    package static var tree: String? {
        guard TestEnvironment.sanitizer == nil, let tree = ProcessInfo.processInfo.environment["WORKFLOWD_SYSTEMD_TREE"], !tree.isEmpty else {
            return nil
        }
        return tree
    }

    /// The repository, mounted read-only at /src inside.
    package static let repository = Repository.root.path

    package let name: String
    package let nspawn: pid_t
    /// The container's PID 1 (systemd), as this machine's kernel numbers it.
    package let initProcess: pid_t
    private let exited: Locked<Int32?>

    private init(name: String, nspawn: pid_t, initProcess: pid_t, exited: Locked<Int32?>) {
        self.name = name
        self.nspawn = nspawn
        self.initProcess = initProcess
        self.exited = exited
    }

    /// Boots the tree and waits until systemd says the system is running, then installs
    /// workflowd and enables its socket (unless `install` is false).
    package static func boot(install: Bool = true) async throws -> SystemdMachine {
        guard let tree else { throw Failure(description: "no tree: run the suite through Contrib/dev/test") }
        let name = "wf" + String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let exited = Locked<Int32?>(nil)
        let pid = try ChildProcess.spawn("/usr/bin/systemd-nspawn", [
            "--quiet", "--directory=\(tree)", "--volatile=overlay", "--boot", "--machine=\(name)",
            // No host systemd to register with or to make a scope: the machine stays in the
            // test's own cgroup.
            "--register=no", "--keep-unit", "--private-network", "--console=passive",
            "--bind-ro=\(repository):/src",
        ], environment: ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"], onOutput: nil, onError: { _ in }, onExit: { status in
            exited.withLock { $0 = status }
        })
        // PID 1 of the container is nspawn's child, once that child is systemd (before, it is
        // nspawn setting the container up).
        let found = Locked<pid_t?>(nil)
        _ = await poll(for: .seconds(30)) {
            let systemd = children(of: pid).first { child in
                (try? String(contentsOfFile: "/proc/\(child)/comm", encoding: .utf8)) == "systemd\n"
            }
            found.withLock { $0 = systemd }
            return systemd != nil || exited.withLock { $0 } != nil
        }
        if let status = exited.withLock({ $0 }) { throw Failure(description: "systemd-nspawn exited with status \(status) before booting") }
        guard let initPID = found.withLock({ $0 }) else {
            kill(pid, SIGKILL)
            throw Failure(description: "systemd-nspawn started no container within 30 s")
        }
        let machine = SystemdMachine(name: name, nspawn: pid, initProcess: initPID, exited: exited)
        // `--wait` waits for the boot to finish, once systemctl can reach systemd at all (before,
        // it answers "offline" at once: asked again 100 ms later).
        let bootDeadline = ContinuousClock.now + TestEnvironment.scaled(.seconds(90))
        var state = ""
        while ContinuousClock.now < bootDeadline {
            let running = try await machine.run(["systemctl", "is-system-running", "--wait"], timeout: .seconds(90))
            state = running.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            if state != "offline" && !state.isEmpty { break }
            _ = await poll(for: .milliseconds(100)) { false }
        }
        guard ["running", "degraded"].contains(state) else {
            await machine.powerOff()
            throw Failure(description: "the machine did not come up: systemctl is-system-running says \(state)")
        }
        if install {
            do {
                try await machine.check(["/src/Contrib/install.sh", "--bin-dir", "/src/.build/release", "--prefix", "/usr/local"])
                try await machine.check(["systemd-sysusers"])
                try await machine.check(["systemctl", "daemon-reload"])
                try await machine.check(["systemctl", "enable", "--now", "workflowd.socket"])
            } catch {
                await machine.powerOff()
                throw error
            }
        }
        return machine
    }

    /// Boots a machine, runs `body` with it, and powers it off, whether `body` succeeded or not.
    package static func with<T>(install: Bool = true, _ body: (SystemdMachine) async throws -> T) async throws -> T {
        let machine = try await boot(install: install)
        do {
            let result = try await body(machine)
            await machine.powerOff()
            return result
        } catch {
            await machine.powerOff()
            throw error
        }
    }

    /// Runs a command inside (as root, or as `user` with that user's groups), at most `timeout`.
    package func run(_ command: [String], as user: String? = nil, input: String? = nil, timeout: Duration = .seconds(60)) async throws -> ChildProcess.Outcome {
        let seconds = Int((Double(TestEnvironment.scaled(timeout).components.seconds)).rounded(.up))
        var inside = command
        if let user { inside = ["/usr/sbin/runuser", "-u", user, "--"] + command }
        return try await ChildProcess.run("/usr/bin/timeout", ["\(seconds)", "/usr/bin/nsenter", "--target", "\(initProcess)", "--all", "--"] + inside,
                                          input: input, environment: ["PATH": "/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8",
                                                                      "NO_COLOR": "1", "SYSTEMD_PAGER": "", "SYSTEMD_COLORS": "0"])
    }

    /// Runs a command that must succeed; returns its stdout.
    @discardableResult
    package func check(_ command: [String], as user: String? = nil, input: String? = nil, timeout: Duration = .seconds(60)) async throws -> String {
        let outcome = try await run(command, as: user, input: input, timeout: timeout)
        guard outcome.status == 0 else { throw Failure(description: "\(command.joined(separator: " ")) failed: \(outcome)") }
        return outcome.stdout
    }

    /// A unit's property (`systemctl show -p NAME --value`).
    package func property(_ name: String, of unit: String = "workflowd.service") async throws -> String {
        try await check(["systemctl", "show", "-p", name, "--value", unit]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The journal of workflowd (and of systemd about it), one line per entry; after `cursor`
    /// (from ``journalCursor()``) if one is given.
    package func journal(after cursor: String? = nil) async throws -> [String] {
        try await check(["journalctl", "--no-pager", "-q", "-o", "cat", "-u", "workflowd.service"] + (cursor.map { ["--after-cursor=\($0)"] } ?? []))
            .split(separator: "\n").map(String.init)
    }

    /// Where the journal ends now.
    package func journalCursor() async throws -> String {
        let text = try await check(["journalctl", "--no-pager", "-q", "-n", "1", "--show-cursor", "-o", "cat"])
        guard let line = text.split(separator: "\n").last(where: { $0.hasPrefix("-- cursor: ") }) else {
            throw Failure(description: "journalctl printed no cursor: \(text)")
        }
        return String(line.dropFirst("-- cursor: ".count))
    }

    /// Writes a file inside (through the machine's own `tee`, so it lands in its overlay).
    package func write(_ path: String, _ text: String, mode: String = "0644") async throws {
        try await check(["/usr/bin/install", "-d", (path as NSString).deletingLastPathComponent])
        try await check(["/usr/bin/tee", path], input: text)
        try await check(["/usr/bin/chmod", mode, path])
    }

    /// Powers the machine off (SIGTERM to nspawn asks its systemd to halt) and waits for it, at
    /// most 30 s (then SIGKILL).
    package func powerOff() async {
        kill(nspawn, SIGTERM)
        let exited = self.exited
        if await !poll(every: .milliseconds(50), for: .seconds(30), { exited.withLock { $0 } != nil }) {
            // Killing the container's init ends its whole PID namespace; nspawn then exits.
            kill(initProcess, SIGKILL)
            kill(nspawn, SIGKILL)
            _ = await poll(for: .seconds(30)) { exited.withLock { $0 } != nil }
        }
    }

    /// The pids whose parent is `pid` (from /proc).
    package static func children(of pid: pid_t) -> [pid_t] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { entry -> pid_t? in
            guard let child = pid_t(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && pid_t(fields[1]) == pid ? child : nil
        }
    }
}

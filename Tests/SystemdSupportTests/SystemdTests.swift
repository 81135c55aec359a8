import DaemonTestSupport
import Foundation
import Testing
import WorkflowTestSupport
import WorkflowJSON

/// The daemon under `systemd-socket-activate` with a test-owned NOTIFY_SOCKET (systemd is not
/// PID 1 here): readiness, status, reload, stop, watchdog; the units checked by systemd-analyze;
/// the install script; journal logging.
@Suite("systemd")
struct SystemdTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A daemon that socket activation will start, and its notify socket.
    static func activated(definitions: [String: String] = TestDefinitions.all, arguments: [String] = [],
                          environment: [String: String] = [:]) async throws -> (DaemonProcess, NotifyListener) {
        let daemon = try DaemonProcess(definitions: definitions, arguments: arguments)
        let notify = try NotifyListener(path: daemon.directory + "/notify.sock")
        try await daemon.start(activation: .init(notifySocket: notify.path, environment: environment))
        return (daemon, notify)
    }

    /// A step that reports which of the service manager's variables it sees.
    static let environmentProbe = """
        name: probe
        start: look
        executors:
          look: { kind: exec, command: [/bin/sh, -c, 'printf ''"%s %s %s"'' "${NOTIFY_SOCKET:-none}" "${LISTEN_FDS:-none}" "${WATCHDOG_USEC:-none}"'] }
          out: { kind: output }
        edges:
          - { from: look, to: out }
        """

    @Test("socket activation: the first connection starts the daemon; READY=1 comes after the database opened and before the first answer")
    func readiness() async throws {
        let (daemon, notify) = try await Self.activated(definitions: TestDefinitions.all.merging(["probe.yaml": Self.environmentProbe]) { $1 },
                                                        arguments: ["--status-interval", "200ms"], environment: ["WATCHDOG_USEC": "60000000"])
        #expect(notify.drain().isEmpty, "nothing runs before the first connection")
        let client = try await daemon.client()
        #expect(try await client.result("daemon.ping")["pong"] == true)
        // Whatever the daemon sent before it answered is in the queue now.
        let before = notify.drain()
        let ready = try #require(before.first { $0.fields["READY"] == "1" }, "READY=1 before the first answer: \(before)")
        #expect(ready.fields["STATUS"]?.hasPrefix("serving: 0 instances loaded, 0 active runs") == true, "\(ready)")
        // Before recovery, the start timeout is extended (recovery may take long); READY comes after.
        let readyIndex = try #require(before.firstIndex { $0.fields["READY"] == "1" })
        #expect(before[..<readyIndex].contains { $0.fields["EXTEND_TIMEOUT_USEC"] == "60000000" }, "\(before)")
        #expect(FileManager.default.fileExists(atPath: daemon.state + "/workflowd.sqlite"), "the database is open")
        try await daemon.waitForLog("workflowd is listening on \(daemon.socket), a socket handed over by socket activation")
        let status = try await client.result("daemon.status")
        #expect(status["socket"]?.stringValue == daemon.socket, "the handed-over socket's path")

        // A workflow step sees none of the service manager's variables.
        let probed = try await client.result("run.start", ["instance": "p", "definition": "probe", "wait": true])
        #expect(probed["outputs"] == ["none none none"], "\(probed)")

        // STATUS= follows what the daemon does.
        _ = try await client.result("run.start", ["instance": "f", "definition": "forever"])
        _ = try await notify.first { $0.fields["STATUS"]?.contains("1 active run") == true }
        _ = try await client.result("run.cancel", ["instance": "f"])
        _ = try await notify.first { $0.fields["STATUS"]?.contains("0 active runs") == true }
        let exitStatus = await daemon.stop()
        #expect(exitStatus == 0, "\(daemon.log.suffix(6000))")
        #expect(FileManager.default.fileExists(atPath: daemon.socket), "an adopted socket's path is the socket unit's: never unlinked")
    }

    @Test("reload (SIGHUP and daemon.reload): RELOADING=1 with MONOTONIC_USEC, then READY=1")
    func reload() async throws {
        let (daemon, notify) = try await Self.activated()
        let client = try await daemon.client()
        _ = try await client.result("daemon.ping")
        let readyIndex = notify.drain().count
        let before = NotifyListener.monotonicNow()
        kill(daemon.pid, SIGHUP)
        let reloading = try await notify.first("RELOADING", "1", after: readyIndex)
        let stamp = try #require(reloading.fields["MONOTONIC_USEC"].flatMap { UInt64($0) }, "\(reloading)")
        #expect(stamp >= before && stamp <= NotifyListener.monotonicNow(), "CLOCK_MONOTONIC at the reload")
        let messages = notify.drain()
        let reloadingIndex = try #require(messages.firstIndex { $0.fields["RELOADING"] == "1" })
        _ = try await notify.first("READY", "1", after: reloadingIndex + 1)

        // wfctl reload (systemd's ExecReload=) returns once the reload is done: READY=1 came.
        let count = notify.drain().count
        let outcome = try await Wfctl(socket: daemon.socket).run(["reload"])
        #expect(outcome.status == 0, "\(outcome)")
        let after = notify.drain().dropFirst(count)
        let order = after.compactMap { $0.fields["RELOADING"] != nil ? "RELOADING" : $0.fields["READY"] != nil ? "READY" : nil }
        #expect(order == ["RELOADING", "READY"], "\(after)")
        #expect(await daemon.stop() == 0)
    }

    @Test("SIGTERM: STOPPING=1, the superstep in flight finishes, subscribers are told, exit 0; the run resumes after the next start")
    func stop() async throws {
        let daemon = try DaemonProcess(definitions: [:])
        let counter = daemon.directory + "/naps"
        // `first` goes on only once the test has seen STOPPING=1: the stop lands in its superstep
        // however slow the machine is.
        let release = daemon.directory + "/release"
        try daemon.writeDefinition("two.yaml", """
            name: two
            start: first
            executors:
              first: { kind: exec, command: [/bin/sh, -c, "echo first >> \(counter); while [ ! -e \(release) ]; do sleep 0.05; done; echo 1"], timeout: 60s }
              second: { kind: exec, command: [/bin/sh, -c, "echo second >> \(counter); echo 2"], timeout: 60s }
              out: { kind: output }
            edges:
              - { from: first, to: second }
              - { from: second, to: out }
            """)
        let notify = try NotifyListener(path: daemon.directory + "/notify.sock")
        try await daemon.start(activation: .init(notifySocket: notify.path))
        let client = try await daemon.client()
        let run = try await client.result("run.start", ["instance": "t", "definition": "two"])
        let subscriber = try await daemon.client()
        _ = try await subscriber.result("events.subscribe", ["instance": "t", "afterSeq": 0])
        _ = try await subscriber.events { $0["type"] == "executor_invoked" && $0["executor"] == "first" }

        async let exit = daemon.stop()
        let stopping = try await notify.first("STOPPING", "1")
        #expect(stopping.fields["STATUS"]?.hasPrefix("stopping") == true)
        FileManager.default.createFile(atPath: release, contents: nil)
        let closed = try await subscriber.notifications("events.closed", count: 1)
        #expect(closed.first?["reason"] == "shutdown")
        #expect(await exit == 0)
        // The superstep in flight finished within the grace and was checkpointed; the run
        // stopped before the next one.
        #expect(try String(contentsOfFile: counter, encoding: .utf8) == "first\n")

        try await daemon.start(activation: .init(notifySocket: notify.path))
        let again = try await daemon.client()
        let result = try await again.result("run.wait", ["instance": "t", "runId": try #require(run["runId"])])
        #expect(result["status"] == "idle")
        #expect(result["outputs"] == [2])
        #expect(try String(contentsOfFile: counter, encoding: .utf8) == "first\nsecond\n", "first ran once: it finished before the stop")
        let events = try await again.result("events.read", ["instance": "t"])["events"]?.arrayValue ?? []
        #expect(events.contains { $0["type"] == "run_recovered" })
        #expect(await daemon.stop() == 0)
    }

    @Test("SIGTERM with a superstep longer than the grace: it is interrupted and runs again after the next start")
    func stopGraceExceeded() async throws {
        let daemon = try DaemonProcess(definitions: [:], arguments: ["--stop-grace", "200ms"])
        let counter = daemon.directory + "/naps"
        let release = daemon.gate("long")  // opened only after the restart: the first nap is surely interrupted
        try daemon.writeDefinition("long.yaml", """
            name: long
            start: nap
            executors:
              nap: { kind: exec, command: [/bin/sh, -c, "echo nap >> \(counter); while [ ! -e \(release) ] && kill -0 $PPID; do sleep 0.02; done; echo 1"], timeout: 60s }
              out: { kind: output }
            edges:
              - { from: nap, to: out }
            """)
        let notify = try NotifyListener(path: daemon.directory + "/notify.sock")
        try await daemon.start(activation: .init(notifySocket: notify.path))
        let client = try await daemon.client()
        let run = try await client.result("run.start", ["instance": "l", "definition": "long"])
        let subscriber = try await daemon.client()
        _ = try await subscriber.result("events.subscribe", ["instance": "l", "afterSeq": 0])
        _ = try await subscriber.events { $0["type"] == "executor_invoked" }
        #expect(await daemon.stop() == 0)
        try await daemon.start(activation: .init(notifySocket: notify.path))
        try daemon.open(release)
        let again = try await daemon.client()
        let result = try await again.result("run.wait", ["instance": "l", "runId": try #require(run["runId"])])
        #expect(result["status"] == "idle")
        #expect(try String(contentsOfFile: counter, encoding: .utf8) == "nap\nnap\n", "interrupted, then run again (at least once)")
        #expect(await daemon.stop() == 0)
    }

    @Test("WATCHDOG=1 at half of WATCHDOG_USEC; none without it")
    func watchdog() async throws {
        let (daemon, notify) = try await Self.activated(environment: ["WATCHDOG_USEC": "400000"])
        let client = try await daemon.client()
        _ = try await client.result("daemon.ping")
        let first = try await notify.first("WATCHDOG", "1")
        let firstIndex = notify.drain().firstIndex { $0.text == first.text } ?? 0
        _ = try await notify.first("WATCHDOG", "1", after: firstIndex + 1)
        #expect(await daemon.stop() == 0)

        let (quiet, quietNotify) = try await Self.activated(arguments: ["--status-interval", "100ms", "--stop-grace", "0s"])
        let other = try await quiet.client()
        _ = try await other.result("run.start", ["instance": "f", "definition": "forever"])
        // Health passes happened (STATUS= follows the run), and none of them pinged.
        _ = try await quietNotify.first { $0.fields["STATUS"]?.contains("1 active run") == true }
        #expect(!quietNotify.drain().contains { $0.fields["WATCHDOG"] != nil })
        #expect(await quiet.stop() == 0)
    }

    @Test("a handed-over socket that is not a listening Unix stream socket is refused, saying why")
    func wrongSocket() async throws {
        let daemon = try DaemonProcess()
        let notify = try NotifyListener(path: daemon.directory + "/notify.sock")
        try await daemon.start(activation: .init(notifySocket: notify.path, datagram: true))
        // A datagram to the socket starts the daemon, which must refuse it and exit.
        let sender = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(sender) }
        let sent = UnixAddress.with(daemon.socket) { sendto(sender, "x", 1, 0, $0, $1) }
        #expect(sent == 1)
        try await daemon.waitForLog("none of which is a listening Unix stream socket")
        #expect(await daemon.stop() != 0)
        #expect(!notify.drain().contains { $0.fields["READY"] != nil })
    }

    @Test("without activation: the socket's directory is created, a stale socket replaced, a live one never taken over")
    func bindsItself() async throws {
        // A socket file left by a daemon that died: nobody listens on it.
        let first = try DaemonProcess()
        let path = first.directory + "/run/deeper/wd.sock"
        try FileManager.default.createDirectory(atPath: first.directory + "/run/deeper", withIntermediateDirectories: true)
        let stale = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #expect(UnixAddress.with(path) { bind(stale, $0, $1) } == 0)
        close(stale)
        #expect(FileManager.default.fileExists(atPath: path))
        try await first.start(extra: ["--socket", path])
        let client = try await TestClient.connect(path)
        #expect(try await client.result("daemon.ping")["pong"] == true)

        // A second daemon on the same path: refused, and the first keeps its socket.
        let second = try DaemonProcess()
        try await second.start(extra: ["--socket", path], awaitLog: false)
        try await second.waitForLog("another daemon is listening on \(path)")
        #expect(await second.stop() != 0)
        #expect(try await client.result("daemon.ping")["pong"] == true)
        #expect(await first.stop() == 0)
        #expect(!FileManager.default.fileExists(atPath: path), "a socket the daemon bound itself is removed when it stops")

        // A directory that does not exist yet is created.
        let third = try DaemonProcess()
        let nested = third.directory + "/a/b/c/wd.sock"
        try await third.start(extra: ["--socket", nested])
        #expect(try await TestClient.connect(nested).result("daemon.ping")["pong"] == true)
        #expect(await third.stop() == 0)
    }
}

import DaemonTestSupport
import Foundation
import Testing
import WorkflowJSON
import WorkflowTestSupport

/// workflowd under a real systemd as PID 1: a Debian 12 tree without the Swift toolchain, booted
/// with systemd-nspawn, workflowd installed by `Contrib/install.sh` from the release build and
/// enabled as an operator does. What the tests under `systemd-socket-activate` cannot see: the
/// unit's KillMode, its sandbox around the steps, its seccomp filter and the journal, the service
/// restarts systemd does, users and groups. Each test boots a machine of its own.
@Suite("Under systemd as PID 1", .serialized, .enabled(if: SystemdMachine.tree != nil, "needs Contrib/dev/test (a systemd tree and a release build)"))
struct SystemdMachineTests {
    @Test("installed without the toolchain, workflowd starts on the first connection to its socket and reports READY and STATUS")
    func socketActivation() async throws {
        try await SystemdMachine.with { machine in
        // Nothing of the toolchain is there, and the binaries need nothing that is not.
        #expect(try await machine.run(["test", "-e", "/opt/swift"]).status != 0)
        for binary in ["/usr/local/bin/workflowd", "/usr/local/bin/wfctl"] {
            let libraries = try await machine.check(["ldd", binary])
            #expect(!libraries.contains("not found") && !libraries.contains("swift"), "\(binary): \(libraries)")
        }
        #expect(try await machine.property("ActiveState", of: "workflowd.socket") == "active")
        #expect(try await machine.property("ActiveState") == "inactive", "nothing started it yet")
        let status = try await machine.check(["wfctl", "status"])
        #expect(status.contains("/run/workflowd/workflowd.sock"), "\(status)")
        #expect(try await machine.property("ActiveState") == "active")
        #expect(try await machine.property("SubState") == "running", "Type=notify: running once READY=1 came")
        #expect(try await machine.property("StatusText").hasPrefix("serving:"))
        }
    }

    @Test("workflowd-metrics.socket: a scrape of 127.0.0.1:9464 starts the daemon, which serves /metrics on the socket systemd handed it")
    func metricsSocket() async throws {
        try await SystemdMachine.with { machine in
            try await machine.check(["systemctl", "enable", "--now", "workflowd-metrics.socket"])
            #expect(try await machine.property("ActiveState") == "inactive", "nothing started it yet")
            let scrape = #"import urllib.request; r = urllib.request.urlopen('http://127.0.0.1:9464/metrics', timeout=30); print(r.status, r.headers['Content-Type']); print(r.read().decode())"#
            let first = try await machine.check(["python3", "-c", scrape])
            #expect(first.hasPrefix("200 text/plain; version=0.0.4"), "\(first)")
            #expect(first.contains("# TYPE workflowd_instances_loaded gauge"), "\(first)")
            #expect(try await machine.property("ActiveState") == "active")
            // The JSON-RPC socket still serves, and what it does is counted.
            _ = try await machine.run(["wfctl", "run", "review", "--input", #"{"topic": "metrics"}"#, "--wait"])
            let second = try await machine.check(["python3", "-c", scrape])
            #expect(second.contains(#"workflowd_runs_started_total{definition="review"} 1"#), "\(second)")
        }
    }

    /// A program that waits until the file its message names exists, then says "opened" (the
    /// daemon tests' `gated`, inside the machine).
    static let gated = """
        name: gated
        start: wait
        executors:
          wait: { kind: exec, command: [/bin/sh, -c, \(TestDefinitions.gateScript)], timeout: 300s }
          out: { kind: output }
        edges:
          - { from: wait, to: out }
        """

    /// What a step sees of its sandbox: its uid, the no-new-privileges flag, the seccomp mode,
    /// and whether it can reach the network.
    static let probe = """
        name: probe
        start: look
        executors:
          look:
            kind: exec
            command: [/usr/bin/python3, -c, "import json, os, socket\\nstatus = dict(l.split(':\\t', 1) for l in open('/proc/self/status').read().splitlines() if ':\\t' in l)\\ntry:\\n  socket.socket(socket.AF_INET).connect(('192.0.2.1', 9))\\n  net = 'reached'\\nexcept OSError as e:\\n  net = type(e).__name__\\nprint(json.dumps({'uid': os.getuid(), 'noNewPrivs': status['NoNewPrivs'].strip(), 'seccomp': status['Seccomp'].strip(), 'network': net}))"]
          out: { kind: output }
        edges:
          - { from: look, to: out }
        """

    /// Installs a definition (as an operator does) and has a running daemon read it again (one
    /// that is not running reads it when it starts).
    static func define(_ machine: SystemdMachine, _ name: String, _ text: String) async throws {
        try await machine.write("/etc/workflowd/workflows.d/\(name).yaml", text)
        try await machine.check(["systemctl", "try-reload-or-restart", "workflowd.service"])
    }

    /// The daemon's main pid.
    static func mainPID(_ machine: SystemdMachine) async throws -> String {
        try await machine.property("MainPID")
    }

    @Test("the review example is answered through wfctl, its steps running inside the unit's sandbox")
    func reviewThroughWfctl() async throws {
        try await SystemdMachine.with { machine in
            // Exit status 4: the run ended waiting for a person.
            let started = try await machine.run(["wfctl", "run", "review", "--input", #"{"topic": "swift on linux"}"#, "--wait", "--json"])
            #expect(started.status == 4, "\(started)")
            #expect(try JSON(parsing: started.stdout)["status"] == "idle_with_pending_requests", "\(started)")
            let pending = try JSON(parsing: try await machine.check(["wfctl", "pending", "review", "--json"]))
            let request = try #require(pending["requests"]?[0]?["id"]?.stringValue, "\(pending)")
            let answered = try await machine.check(["wfctl", "respond", "review", request, #"{"approved": true}"#, "--wait", "--json"])
            #expect(try JSON(parsing: answered)["status"] == "idle", "\(answered)")
            let runs = try JSON(parsing: try await machine.check(["wfctl", "runs", "review", "--json"]))
            #expect(runs["runs"]?[0]?["outputs"]?[0]?["published"] == "Swift On Linux", "\(runs)")
            // What a step sees: the service's user, no new privileges, a seccomp filter, no network.
            try await Self.define(machine, "probe", Self.probe)
            let probed = try JSON(parsing: try await machine.check(["wfctl", "run", "probe", "--definition", "probe", "--wait", "--json"]))
            let seen = try #require(probed["outputs"]?[0], "\(probed)")
            #expect(seen["uid"]?.intValue == Int(try await machine.check(["id", "-u", "workflowd"]).trimmingCharacters(in: .whitespacesAndNewlines)))
            #expect(seen["noNewPrivs"] == "1")
            #expect(seen["seccomp"] == "2")
            #expect(seen["network"] != "reached", "\(seen)")
        }
    }

    @Test("systemctl reload reads the definitions again (RELOADING, then READY) without restarting the daemon")
    func reload() async throws {
        try await SystemdMachine.with { machine in
            try await machine.check(["wfctl", "status"])
            let pid = try await Self.mainPID(machine)
            let before = try JSON(parsing: try await machine.check(["wfctl", "definitions", "--json"]))
            #expect(before["definitions"]?.arrayValue?.contains { $0["name"] == "gated" } == false)
            try await Self.define(machine, "gated", Self.gated)
            let after = try JSON(parsing: try await machine.check(["wfctl", "definitions", "--json"]))
            #expect(after["definitions"]?.arrayValue?.contains { $0["name"] == "gated" } == true, "\(after)")
            #expect(try await Self.mainPID(machine) == pid)
            #expect(try await machine.property("ActiveState") == "active")
            #expect(try await machine.journal().contains { $0.contains("Reloaded") || $0.contains("reloaded") })
        }
    }

    /// Waits inside the machine until the shell `condition` holds (asked every 0.1 s), at most
    /// `seconds`.
    static func waitInside(_ machine: SystemdMachine, _ condition: String, seconds: Int = 30) async throws {
        let tries = seconds * 10
        let outcome = try await machine.run(["sh", "-c", "i=0; while [ $i -lt \(tries) ]; do \(condition) && exit 0; i=$((i+1)); sleep 0.1; done; exit 1"],
                                            timeout: .seconds(seconds + 10))
        guard outcome.status == 0 else { throw SystemdMachine.Failure(description: "waited \(seconds) s in vain for: \(condition)") }
    }

    /// The run `runID` of `instance` as `wfctl runs` lists it, once it has ended.
    static func ended(_ machine: SystemdMachine, _ instance: String, _ runID: String, seconds: Int = 60) async throws -> JSON {
        try await waitInside(machine, "wfctl runs \(instance) --json | grep -q '\"status\" *: *\"\\(idle\\|failed\\|cancelled\\)'", seconds: seconds)
        let runs = try JSON(parsing: try await machine.check(["wfctl", "runs", instance, "--json"]))
        return try #require(runs["runs"]?.arrayValue?.first { $0["runId"] == .string(runID) }, "\(runs)")
    }

    @Test("systemctl restart while a step runs: the superstep finishes within the stop grace, the run is suspended and resumed, never failed")
    func restartWithAStepInFlight() async throws {
        try await SystemdMachine.with { machine in
            try await Self.define(machine, "gated", Self.gated)
            let gate = "/var/lib/workflowd/gate"
            let run = try JSON(parsing: try await machine.check(["wfctl", "run", "g", "--definition", "gated", "--input", JSON.string(gate).serialized(), "--json"]))
            let runID = try #require(run["runId"]?.stringValue, "\(run)")
            // The step's program is running (it waits for the gate) when the restart begins.
            try await Self.waitInside(machine, "pgrep -u workflowd -x sh >/dev/null")
            let first = try await Self.mainPID(machine)
            try await machine.check(["systemctl", "restart", "--no-block", "workflowd.service"])
            try await Self.waitInside(machine, "[ \"$(systemctl show -p ActiveState --value workflowd.service)\" = deactivating ]")
            // The step ends while the daemon is stopping: it is not killed, its superstep lands.
            try await machine.check(["touch", gate])
            try await Self.waitInside(machine, "[ \"$(systemctl show -p MainPID --value workflowd.service)\" != \(first) ] && [ \"$(systemctl show -p MainPID --value workflowd.service)\" != 0 ]")
            let result = try await Self.ended(machine, "g", runID)
            #expect(result["status"] == "idle", "\(result)")
            #expect(result["outputs"] == ["opened"])
            let events = try JSON(parsing: try await machine.check(["wfctl", "events", "g", "--json"]))["events"]?.arrayValue ?? []
            #expect(events.contains { $0["type"] == "run_recovered" && $0["runId"] == .string(runID) }, "\(events.compactMap { $0["type"]?.stringValue })")
            #expect(!events.contains { $0["type"] == "run_failed" })
            // The program ran once: its superstep was committed before the daemon stopped.
            #expect(events.filter { $0["type"] == "executor_invoked" && $0["executor"] == "wait" }.count == 1)
            try await Self.waitInside(machine, "journalctl -q -u workflowd.service -o cat | grep -q 'resumed an interrupted run'", seconds: 10)
            let journal = try await machine.journal()
            #expect(journal.contains { $0.contains("suspended a run") }, "\(journal.suffix(20))")
            #expect(!journal.contains { $0.contains("was killed by signal") })
        }
    }

    @Test("systemctl stop while a step ignores SIGTERM: the daemon kills it at its own deadline, systemd never has to; the run resumes")
    func stopWithAStubbornStep() async throws {
        try await SystemdMachine.with { machine in
            try await Self.define(machine, "stubborn", TestDefinitions.stubborn)
            let gate = "/var/lib/workflowd/stubborn"
            let run = try JSON(parsing: try await machine.check(["wfctl", "run", "s", "--definition", "stubborn", "--input", JSON.string(gate).serialized(), "--json"]))
            let runID = try #require(run["runId"]?.stringValue, "\(run)")
            try await Self.waitInside(machine, "[ -e \(gate).pid ]")
            let step = try await machine.check(["cat", gate + ".pid"]).trimmingCharacters(in: .whitespacesAndNewlines)
            let stopping = ContinuousClock.now
            try await machine.check(["systemctl", "stop", "workflowd.service"], timeout: .seconds(60))
            let took = ContinuousClock.now - stopping
            // --stop-grace 20s, then SIGTERM (ignored) and 5 s later SIGKILL from the daemon:
            // within TimeoutStopSec=30s, and systemd sent no SIGKILL of its own.
            #expect(took < .seconds(29), "the stop took \(took)")
            #expect(try await machine.run(["kill", "-0", step]).status != 0, "the step's program outlived the service")
            // The daemon's last entries may reach the journal a moment after systemd's own.
            try await Self.waitInside(machine, "journalctl -q -u workflowd.service -o cat | grep -q 'killed the programs of steps that did not end on SIGTERM'",
                                      seconds: 10)
            let journal = try await machine.journal()
            #expect(journal.contains { $0.contains("suspended a run") }, "\(journal.suffix(20))")
            #expect(!journal.contains { $0.contains("timed out. Killing") || $0.contains("SIGKILL") && !$0.contains("did not end") })
            #expect(try await machine.property("Result") == "success")
            // Started again (by the socket, at the first connection), the run resumes; its step
            // runs again and this time finishes.
            try await machine.check(["touch", gate + ".done"])
            let result = try await Self.ended(machine, "s", runID)
            #expect(result["status"] == "idle", "\(result)")
            #expect(result["outputs"] == ["finished"])
        }
    }

    @Test("kill -9: systemd restarts workflowd (Restart=on-failure) and the interrupted run is recovered")
    func crashAndRestart() async throws {
        try await SystemdMachine.with { machine in
            try await Self.define(machine, "gated", Self.gated)
            let gate = "/var/lib/workflowd/gate"
            let run = try JSON(parsing: try await machine.check(["wfctl", "run", "g", "--definition", "gated", "--input", JSON.string(gate).serialized(), "--json"]))
            let runID = try #require(run["runId"]?.stringValue, "\(run)")
            try await Self.waitInside(machine, "pgrep -u workflowd -x sh >/dev/null")
            let first = try await Self.mainPID(machine)
            try await machine.check(["systemctl", "kill", "--signal=KILL", "workflowd.service"])
            try await Self.waitInside(machine, "[ \"$(systemctl show -p NRestarts --value workflowd.service)\" = 1 ] && [ \"$(systemctl show -p ActiveState --value workflowd.service)\" = active ]")
            #expect(try await Self.mainPID(machine) != first)
            try await machine.check(["touch", gate])
            let result = try await Self.ended(machine, "g", runID)
            #expect(result["status"] == "idle", "\(result)")
            let events = try JSON(parsing: try await machine.check(["wfctl", "events", "g", "--json"]))["events"]?.arrayValue ?? []
            #expect(events.contains { $0["type"] == "run_recovered" && $0["runId"] == .string(runID) })
        }
    }

    @Test("access: members of group workflowd use wfctl and see only their own instances; others are refused with exit 77 naming the group")
    func groupsAndUsers() async throws {
        try await SystemdMachine.with { machine in
            for user in ["alice", "bob", "carol"] { try await machine.check(["useradd", "--create-home", user]) }
            for user in ["alice", "bob"] { try await machine.check(["usermod", "-aG", "workflowd", user]) }
            try await machine.check(["wfctl", "create", "notes", "shout"], as: "alice")
            #expect(try await machine.check(["wfctl", "run", "notes", "--input", #""hi""#, "--wait", "--json"], as: "alice").contains("HI"))
            // bob is in the group: he may talk to the daemon, but alice's instance is not there for him.
            let list = try JSON(parsing: try await machine.check(["wfctl", "list", "--json"], as: "bob"))
            #expect(list["instances"]?.arrayValue?.isEmpty == true, "\(list)")
            let show = try await machine.run(["wfctl", "show", "notes"], as: "bob")
            #expect(show.status == 66, "\(show)")
            #expect(show.stderr.contains("no instance 'notes'"))
            // carol is not in the group: the socket refuses her, and wfctl says why.
            let refused = try await machine.run(["wfctl", "status"], as: "carol")
            #expect(refused.status == 77, "\(refused)")
            #expect(refused.stderr.contains("you need to be in group 'workflowd'"), "\(refused)")
            // root sees everyone's.
            let all = try JSON(parsing: try await machine.check(["wfctl", "list", "--json"]))
            #expect(all["instances"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["notes"])
        }
    }

    @Test("the watchdog is fed while the daemon idles, and an idle daemon writes nothing to the journal")
    func watchdogAndQuietJournal() async throws {
        try await SystemdMachine.with { machine in
            // A short watchdog, so that a few seconds of idling span several of its intervals.
            try await machine.write("/etc/systemd/system/workflowd.service.d/watchdog.conf", "[Service]\nWatchdogSec=3s\n")
            try await machine.check(["systemctl", "daemon-reload"])
            try await machine.check(["wfctl", "status"])
            #expect(try await machine.property("WatchdogUSec") == "3s")
            let cursor = try await machine.journalCursor()
            // 12 s of nothing: four watchdog intervals, the daemon's 10 s health check, its worker
            // threads going and coming back (each used to write a line).
            try await machine.check(["sleep", "12"])
            #expect(try await machine.property("NRestarts") == "0", "a missed watchdog ping restarts the service")
            #expect(try await machine.property("ActiveState") == "active")
            let written = try await machine.journal(after: cursor)
            #expect(written.isEmpty, "an idle daemon wrote: \(written)")
        }
    }

    @Test("systemd-analyze verifies the units without a word and scores the service's exposure at most 1.5")
    func unitsUnderTheRealManager() async throws {
        try await SystemdMachine.with { machine in
            let verify = try await machine.run(["systemd-analyze", "verify", "/usr/local/lib/systemd/system/workflowd.socket",
                                                "/usr/local/lib/systemd/system/workflowd.service"])
            #expect(verify.status == 0 && verify.stderr.isEmpty && verify.stdout.isEmpty, "\(verify)")
            let security = try await machine.check(["systemd-analyze", "security", "--no-pager", "workflowd.service"])
            let overall = try #require(security.split(separator: "\n").last { $0.contains("Overall exposure level") }, "\(security)")
            let score = try #require(overall.split(separator: " ").compactMap { Double($0) }.first, "\(overall)")
            #expect(score <= 1.5, "\(overall)")
        }
    }

    @Test("journal entries carry the run and the executor: journalctl RUN=… finds why a run failed")
    func journalFields() async throws {
        try await SystemdMachine.with { machine in
            try await Self.define(machine, "broken", """
                name: broken
                start: fail
                executors:
                  fail: { kind: exec, command: [/bin/sh, -c, "echo nope >&2; exit 3"] }
                """)
            let run = try JSON(parsing: try await machine.run(["wfctl", "run", "b", "--definition", "broken", "--wait", "--json"]).stdout)
            let runID = try #require(run["runId"]?.stringValue, "\(run)")
            let entries = try await machine.check(["journalctl", "--no-pager", "-o", "json", "RUN=\(runID)"])
            let fields = try #require(entries.split(separator: "\n").compactMap { try? JSON(parsing: String($0)) }.first, "no entry with RUN=\(runID)")
            #expect(fields["EXECUTOR"] == "fail")
            #expect(fields["INSTANCE"] == "b")
            #expect(fields["MESSAGE"] == "a run failed: an executor failed")
            #expect(fields["ERROR"]?.stringValue?.contains("exited with status 3; stderr: nope") == true, "\(fields)")
        }
    }
}

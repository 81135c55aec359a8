import DaemonTestSupport
import Foundation
import Testing
import WorkflowJSON

/// `wfctl`, the real binary, end to end against the real daemon: the approval flow, every
/// `--json` output, every exit code, `validate`, help snapshots, `respond` on a terminal.
@Suite("wfctl")
struct WfctlTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = repository.appendingPathComponent("Tests/WfctlTests/Fixtures")

    /// A definition whose program fails.
    static let fail = """
        name: fail
        start: boom
        executors:
          boom: { kind: exec, command: [/bin/sh, -c, "echo broken >&2; exit 3"] }
        """

    /// A daemon with the README's example definitions (Contrib/examples, programs included).
    static func examplesDaemon() async throws -> DaemonProcess {
        let daemon = try DaemonProcess(definitions: [:])
        let examples = repository.appendingPathComponent("Contrib/examples")
        try FileManager.default.removeItem(atPath: daemon.definitions)
        try FileManager.default.copyItem(atPath: examples.path, toPath: daemon.definitions)
        try await daemon.start()
        return daemon
    }

    @Test("the README's approval flow through wfctl alone: run --follow, pending, respond, the run completes")
    func approvalFlow() async throws {
        let daemon = try await Self.examplesDaemon()
        let wfctl = Wfctl(socket: daemon.socket)

        var outcome = try await wfctl.run(["run", "review", "--input", #"{"topic": "Swift on Linux"}"#, "--follow"])
        #expect(outcome.status == 4, "waiting for a person: \(outcome)")
        #expect(outcome.stdout.contains("▶ run "))
        #expect(outcome.stdout.contains("step 1") && outcome.stdout.contains("draft ✓"))
        #expect(outcome.stdout.contains("approve asks: Publish this draft?"))
        #expect(outcome.stdout.contains("answer: wfctl respond review "))
        #expect(outcome.stdout.contains("is waiting for a person"))

        outcome = try await wfctl.run(["pending", "--json"])
        #expect(outcome.status == 0)
        let requests = try #require(try outcome.json()["requests"]?.arrayValue)
        #expect(requests.count == 1)
        let id = try #require(requests.first?["id"]?.stringValue)
        #expect(requests.first?["payload"]?["prompt"] == "Publish this draft?")

        outcome = try await wfctl.run(["pending"])
        #expect(outcome.stdout.contains("review") && outcome.stdout.contains(id) && outcome.stdout.contains("Publish this draft?"))

        // A response that fails the schema: rejected here, in words; the request stays open.
        outcome = try await wfctl.run(["respond", "review", id, #"{"approved": "yes"}"#])
        #expect(outcome.status == 65, "\(outcome)")
        #expect(outcome.stderr.contains("at /approved") && outcome.stderr.contains("boolean"), "\(outcome)")
        #expect(try await wfctl.run(["pending", "review", "--json"]).json()["requests"]?.arrayValue?.count == 1)

        outcome = try await wfctl.run(["respond", "review", id, #"{"approved": true, "note": "ship it"}"#, "--follow"])
        #expect(outcome.status == 0, "\(outcome)")
        #expect(outcome.stdout.contains("⇒ output from publish"), "\(outcome)")
        #expect(outcome.stdout.contains("finished"))

        let show = try await wfctl.run(["show", "review", "--json"]).json()
        #expect(show["status"] == "idle")
        #expect(show["openRequests"] == [])
        let runs = try await wfctl.run(["runs", "review", "--json"]).json()
        #expect(runs["runs"]?.arrayValue?.first?["outputs"]?[0]?["published"] == "Swift On Linux")

        // The picture: the instance with its last run's path, and every example definition.
        let graph = try await wfctl.run(["graph", "review"])
        #expect(graph.stdout.contains("1. when message.response.approved → publish  ✓"), "\(graph)")
        #expect(graph.stdout.contains("went through approve → publish"), "\(graph)")
        for name in ["review", "release", "mapreduce", "loop", "shout"] {
            let dot = try await wfctl.run(["graph", name, "--definition", "--format", "dot"])
            #expect(dot.status == 0 && dot.stdout.hasPrefix("digraph"), "\(name): \(dot)")
            let rendered = try await Wfctl.spawn("/bin/sh", ["-c", "printf '%s' \"$0\" | dot -Tsvg >/dev/null", dot.stdout])
            #expect(rendered.status == 0 && rendered.stderr.isEmpty, "dot -Tsvg on \(name): \(rendered)")
            let mermaid = try await wfctl.run(["graph", name, "--format", "mermaid"])
            #expect(mermaid.status == 0 && mermaid.stdout.contains("flowchart LR"), "\(name): \(mermaid)")
        }
    }

    @Test("every --json output is one JSON document (or one JSON line per event when following)")
    func jsonOutputs() async throws {
        let daemon = try await DaemonProcess.started()
        let wfctl = Wfctl(socket: daemon.socket)
        func json(_ arguments: [String], status: Int32 = 0) async throws -> JSON {
            let outcome = try await wfctl.run(arguments + ["--json"])
            #expect(outcome.status == status, "\(arguments): \(outcome)")
            do {
                return try outcome.json()
            } catch {
                Issue.record("\(arguments) --json is not JSON: \(outcome)")
                return .null
            }
        }
        #expect(try await json(["status"])["version"] != nil)
        #expect(try await json(["reload"])["definitions"]?.arrayValue?.isEmpty == false)
        #expect(try await json(["definitions"])["definitions"]?.arrayValue?.count == TestDefinitions.all.count)
        #expect(try await json(["definition", "show", "ask"])["document"]?["name"] == "ask")
        #expect(try await json(["create", "a", "ask", "--on-busy", "queue"])["onBusy"] == "queue")
        #expect(try await json(["list"])["instances"]?.arrayValue?.map { $0["name"] } == ["a"])
        #expect(try await json(["run", "a", "--input", #"{"n": 1}"#])["runId"] != nil)
        #expect(try await json(["show", "a"])["status"] == "idle_with_pending_requests")
        let pending = try await json(["pending", "a"])
        let id = try #require(pending["requests"]?[0]?["id"]?.stringValue)
        #expect(try await json(["checkpoint", "a", "--label", "asked"])["label"] == "asked")
        #expect(try await json(["respond", "a", id, #"{"ok": true}"#])["accepted"] == true)
        #expect(try await json(["run", "e", "--definition", "echo", "--input", "7", "--wait"])["outputs"] == [7])
        // An idempotency key: the same key gives the same run, and starts nothing new.
        let keyed = try await json(["run", "e", "--input", "8", "--idempotency-key", "once", "--wait"])
        let again = try await json(["run", "e", "--input", "9", "--idempotency-key", "once"])
        #expect(again["runId"] == keyed["runId"] && again["disposition"] == "existing", "\(again)")
        #expect(try await json(["events", "e"])["events"]?.arrayValue?.first?["seq"] == 1)
        #expect(try await json(["runs", "e"])["runs"]?.arrayValue?.count == 2)
        // Each run says how many supersteps it took (echo: one), in the table too.
        #expect(try await json(["runs", "e"])["runs"]?.arrayValue?.map { $0["supersteps"] } == [1, 1])
        _ = try await json(["run", "c", "--definition", "count", "--input", #"{"n": 0, "to": 3}"#, "--wait"])
        #expect(try await json(["runs", "c"])["runs"]?[0]?["supersteps"] == 4)
        let table = try await wfctl.run(["runs", "c"])
        let row = try #require(table.stdout.split(separator: "\n").first { $0.contains("idle") }, "\(table.stdout)")
        #expect(row.split(separator: " ", omittingEmptySubsequences: true).contains("4"), "SUPERSTEPS: \(row)")
        #expect(try await json(["checkpoints", "a"])["checkpoints"]?.arrayValue?.isEmpty == false)
        #expect(try await json(["rewind", "a", "asked"])["instance"]?["name"] == "a")
        #expect(try await json(["fork", "a", "asked", "a2"])["instance"]?["forkedFrom"]?["instance"] == "a")
        #expect(try await json(["prune", "a"])["deleted"] != nil)
        #expect(try await json(["graph", "a"])["graph"]?.stringValue?.contains("WAITING ON A PERSON") == true)
        #expect(try await json(["cancel", "a"])["cancelled"] == false)
        #expect(try await json(["reset", "a2"])["status"] == "idle")
        #expect(try await json(["delete", "a2"])["deleted"] == true)
        // An error is a JSON document too.
        let missing = try await json(["show", "nope"], status: 66)
        #expect(missing["error"]?["code"] == -32001)

        // Following: one event per line, all of this run, ending with its status.
        let outcome = try await wfctl.run(["run", "c", "--definition", "count", "--input", #"{"n": 0, "to": 3}"#, "--follow", "--json"])
        #expect(outcome.status == 0, "\(outcome)")
        let events = try outcome.jsonLines()
        #expect(events.first?["type"] == "run_started")
        #expect(events.last?["type"] == "status" && events.last?["status"] == "idle")
        let seqs = events.compactMap { $0["seq"]?.intValue }
        #expect(seqs == Array(seqs[0]...seqs[seqs.count - 1]), "every event, in order, once")
    }

    @Test("exit codes: usage, unreachable, not found, conflict, invalid input, permission, run failed, cancelled, waiting")
    func exitCodes() async throws {
        let daemon = try await DaemonProcess.started(definitions: TestDefinitions.all.merging(["fail.yaml": Self.fail]) { $1 })
        let wfctl = Wfctl(socket: daemon.socket)
        func status(_ arguments: [String]) async throws -> Int32 { try await wfctl.run(arguments).status }

        #expect(try await status(["run"]) == 64, "a missing argument")
        #expect(try await status(["run", "x", "--follow", "--wait"]) == 64, "options that do not go together")
        #expect(try await status(["frobnicate"]) == 64, "an unknown command")
        let unreachable = try await Wfctl(socket: daemon.directory + "/nobody-here.sock").run(["status"])
        #expect(unreachable.status == 69)
        #expect(unreachable.stderr.contains("nobody-here.sock"), "the error names where it looked")
        #expect(try await status(["show", "nope"]) == 66)
        #expect(try await status(["create", "x", "no-such-definition"]) == 66)
        #expect(try await status(["create", "x", "echo"]) == 0)
        #expect(try await status(["create", "x", "echo"]) == 75, "the name is taken")
        #expect(try await status(["run", "x", "--input", "{not json"]) == 65)
        #expect(try await status(["rewind", "x", "no-such-checkpoint"]) == 66)
        #expect(try await status(["run", "x", "--input", "1", "--wait"]) == 0)
        #expect(try await status(["run", "f", "--definition", "fail", "--wait"]) == 2, "the run failed")
        let failed = try await wfctl.run(["run", "f", "--follow"])
        #expect(failed.status == 2)
        #expect(failed.stdout.contains("failed"), "\(failed)")
        #expect(try await status(["run", "q", "--definition", "ask", "--wait"]) == 4, "waiting for a person")

        // Cancelled: a follower sees the run it follows cancelled by another wfctl.
        #expect(try await status(["create", "z", "forever"]) == 0)
        let watcher = try await daemon.client()
        _ = try await watcher.result("events.subscribe", ["instance": "z", "afterSeq": 0])
        async let follower = wfctl.run(["run", "z", "--follow"])
        _ = try await watcher.events { $0["type"] == "run_started" }
        let cancelled = try await wfctl.run(["cancel", "z"])
        #expect(cancelled.status == 0 && cancelled.stdout.contains("cancelled run"), "\(cancelled)")
        let followed = try await follower
        #expect(followed.status == 3, "\(followed)")
        #expect(followed.stdout.contains("cancelled"))

        // Busy: a run is active and the instance rejects a second.
        #expect(try await status(["run", "b", "--definition", "forever"]) == 0)
        let busy = try await wfctl.run(["run", "b"])
        #expect(busy.status == 75, "\(busy)")
        #expect(busy.stderr.contains("busy"), "\(busy)")
        #expect(try await status(["delete", "b"]) == 75, "a busy instance is not deleted without --cancel")
        #expect(try await status(["delete", "b", "--cancel"]) == 0)

        // Another user's instance is not there for nobody: not found, as a name nobody created.
        chmod(daemon.directory, 0o755)
        let asNobody = try await Wfctl.spawn("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", try Wfctl.binary(), "show", "x"],
                                             environment: ["NO_COLOR": "1"], socket: daemon.socket)
        #expect(asNobody.status == 66, "\(asNobody)")
        #expect(asNobody.stderr.contains("no instance 'x'"), "\(asNobody)")
        // Permission denied: a user outside the socket's group (as an operator's socket is 0660).
        chmod(daemon.socket, 0o660)
        let outside = try await Wfctl.spawn("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", try Wfctl.binary(), "status"],
                                            environment: ["NO_COLOR": "1"], socket: daemon.socket)
        #expect(outside.status == 77, "\(outside)")
        #expect(outside.stderr.contains("you need to be in group 'root'"), "\(outside)")
    }

    @Test("the client's options may come before the command, as systemctl's do: wfctl --socket PATH --json status")
    func optionsBeforeTheCommand() async throws {
        let daemon = try await DaemonProcess.started()
        // The socket the environment names is not the daemon's: only the option finds it.
        let elsewhere = ["NO_COLOR": "1", "WORKFLOWD_SOCKET": daemon.directory + "/not-this-one.sock"]
        let outcome = try await Wfctl.spawn(try Wfctl.binary(), ["--socket", daemon.socket, "--json", "status"], environment: elsewhere)
        #expect(outcome.status == 0, "\(outcome)")
        #expect(try JSON(parsing: outcome.stdout)["pid"] != nil, "\(outcome.stdout)")
        let equals = try await Wfctl.spawn(try Wfctl.binary(), ["--socket=" + daemon.socket, "list"], environment: elsewhere)
        #expect(equals.status == 0, "\(equals)")
    }

    @Test("validate: good files pass, broken ones name file, line and path; offline")
    func validate() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wfv-\(UInt32.random(in: 0...UInt32.max))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try TestDefinitions.ask.write(toFile: directory + "/ask.yaml", atomically: true, encoding: .utf8)
        try """
            name: broken
            start: a
            executors:
              a: { kind: transform, expression: "message.[" }
              b: { kind: teleport }
            """.write(toFile: directory + "/broken.yaml", atomically: true, encoding: .utf8)
        let wfctl = Wfctl(socket: "")
        let good = try await wfctl.run(["validate", directory + "/ask.yaml"], socketOption: false)
        #expect(good.status == 0, "\(good)")
        #expect(good.stdout.contains("ask.yaml: ask"))
        let bad = try await wfctl.run(["validate", directory + "/ask.yaml", directory + "/broken.yaml"], socketOption: false)
        #expect(bad.status == 65, "\(bad)")
        #expect(bad.stdout.contains(directory + "/broken.yaml:4"), "the file and line: \(bad)")
        #expect(bad.stdout.contains("executors.a"), "the path: \(bad)")
        let json = try await wfctl.run(["validate", directory + "/broken.yaml", "--json"], socketOption: false).json()
        #expect(json["valid"] == false)
        #expect(json["files"]?[0]?["errors"]?[0]?["line"] == 4)
        // Every example definition validates (sub-workflows resolve beside it).
        let examples = Self.repository.appendingPathComponent("Contrib/examples").path
        let files = try FileManager.default.contentsOfDirectory(atPath: examples).filter { $0.hasSuffix(".yaml") }.map { examples + "/" + $0 }
        let all = try await wfctl.run(["validate"] + files, socketOption: false)
        #expect(all.status == 0, "\(all)")
    }

    @Test("signal: kept while nothing waits (show lists it), then taken by the wait a run arms; a wait shows with its time; --follow shows the wake and the run finishing")
    func signals() async throws {
        let daemon = try await DaemonProcess.started()
        let wfctl = Wfctl(socket: daemon.socket)
        _ = try await wfctl.run(["create", "s", "signalled"])
        var outcome = try await wfctl.run(["signal", "s", "go", #"{"early": true}"#])
        #expect(outcome.status == 0, "\(outcome)")
        #expect(outcome.stdout.contains("signal go kept"), "\(outcome)")
        #expect(try await wfctl.run(["show", "s"]).stdout.contains("kept signals go"))
        outcome = try await wfctl.run(["run", "s", "--input", "1", "--wait", "--json"])
        #expect(outcome.status == 0, "the kept signal woke the wait at once: \(outcome)")
        #expect(try outcome.json()["outputs"]?[0]?["signal"]?["payload"] == ["early": true])

        _ = try await wfctl.run(["create", "r", "later"])
        outcome = try await wfctl.run(["run", "r", "--input", "2", "--wait"])
        #expect(outcome.status == 4, "a run that ends waiting exits 4: \(outcome)")
        let show = try await wfctl.run(["show", "r"])
        #expect(show.stdout.contains("wait") && show.stdout.contains("hold until") && show.stdout.contains("or for signal go"), "\(show)")
        #expect(show.stdout.contains("waiting for a time or a signal"), "\(show)")
        outcome = try await wfctl.run(["signal", "r", "go", "--follow"])
        #expect(outcome.status == 0, "\(outcome)")
        #expect(outcome.stdout.contains("signal go woke"), "\(outcome)")
        #expect(outcome.stdout.contains("← signal go woke hold"), "\(outcome)")
        #expect(outcome.stdout.contains("finished"), "\(outcome)")
        outcome = try await wfctl.run(["signal", "nobody", "go"])
        #expect(outcome.status == 66, "not found: \(outcome)")
    }

    @Test("pause and resume: show and list say paused with the reason, a run is refused meanwhile (exit 75), resume lets it run; schedule create, list, show, trigger, delete")
    func pauseAndSchedules() async throws {
        let daemon = try await DaemonProcess.started()
        let wfctl = Wfctl(socket: daemon.socket, environment: ["NO_COLOR": "1"])
        _ = try await wfctl.run(["create", "e", "echo"])
        var outcome = try await wfctl.run(["pause", "e", "--reason", "audit"])
        #expect(outcome.status == 0 && outcome.stdout.contains("e paused"), "\(outcome)")
        #expect(try await wfctl.run(["show", "e"]).stdout.contains("audit (wfctl resume e goes on)"))
        #expect(try await wfctl.run(["list"]).stdout.contains("(paused)"))
        #expect(try await wfctl.run(["status"]).stdout.contains("1 paused"))
        outcome = try await wfctl.run(["run", "e", "--input", "1", "--wait"])
        #expect(outcome.status == 75 && outcome.stderr.contains("paused"), "\(outcome)")
        #expect(try await wfctl.run(["resume", "e"]).status == 0)
        #expect(try await wfctl.run(["run", "e", "--input", "1", "--wait"]).status == 0)

        outcome = try await wfctl.run(["schedule", "create", "nightly", "--instance", "e", "--cron", "0 2 * * *", "--time-zone", "Europe/Paris"])
        #expect(outcome.status == 0 && outcome.stdout.contains("cron:      0 2 * * * in Europe/Paris"), "\(outcome)")
        #expect(outcome.stdout.contains("next:"), "\(outcome)")
        outcome = try await wfctl.run(["schedule", "list"])
        #expect(outcome.stdout.contains("nightly") && outcome.stdout.contains("0 2 * * * Europe/Paris"), "\(outcome)")
        outcome = try await wfctl.run(["schedule", "trigger", "nightly"])
        #expect(outcome.status == 0 && outcome.stdout.contains("started run"), "\(outcome)")
        #expect(try await wfctl.run(["schedule", "show", "nightly"]).stdout.contains("last fire:"))
        outcome = try await wfctl.run(["schedule", "create", "bad", "--instance", "e", "--cron", "0 25 * * *"])
        #expect(outcome.status == 65 && outcome.stderr.contains("hour field"), "\(outcome)")
        #expect(try await wfctl.run(["schedule", "delete", "nightly"]).status == 0)
        #expect(try await wfctl.run(["schedule", "show", "nightly"]).status == 66)
    }

    @Test("metrics prints the exposition (filtered by name); top shows instances, runs, commits, each definition, the runs going on and the open requests, oldest first, as plain lines off a terminal and as JSON lines")
    func metricsAndTop() async throws {
        let daemon = try await DaemonProcess.started()
        let wfctl = Wfctl(socket: daemon.socket)
        #expect(try await wfctl.run(["run", "e", "--definition", "echo", "--input", "1", "--wait"]).status == 0)
        #expect(try await wfctl.run(["run", "first", "--definition", "ask", "--input", "1", "--wait"]).status == 4)
        #expect(try await wfctl.run(["run", "second", "--definition", "ask", "--input", "2", "--wait"]).status == 4)
        // A run that goes on (its step waits for a file).
        let busy = try await daemon.client()
        _ = try await busy.result("run.start", ["instance": "g", "definition": "gated", "input": .string(daemon.gate("g"))])

        let all = try await wfctl.run(["metrics"])
        #expect(all.status == 0 && all.stdout.contains("# TYPE workflowd_runs_started_total counter"), "\(all)")
        let some = try await wfctl.run(["metrics", "runs_started"])
        let lines = some.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains(#"workflowd_runs_started_total{definition="ask"} 2"#) && lines.allSatisfy { $0.contains("runs_started") }, "\(some)")

        // Off a terminal: one plain view per refresh.
        let top = try await wfctl.run(["top", "-n", "2", "-d", "0.2"])
        #expect(top.status == 0, "\(top)")
        let views = top.stdout.components(separatedBy: "\n\n\n")
        #expect(top.stdout.components(separatedBy: "workflowd ").count - 1 >= 2, "two views: \(top.stdout)")
        let rows = top.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        #expect(rows.contains { $0.first == "instances" && $0.contains("4") } && rows.contains { $0.first == "requests" || $0.contains("requests") }, "\(top.stdout)")
        #expect(rows.contains { $0.first == "DEFINITION" } && rows.contains { $0.first == "ask" } && rows.contains { $0.first == "echo" }, "\(top.stdout)")
        #expect(rows.contains { $0.first == "RUNNING" } && rows.contains { $0.count == 4 && $0[1] == "g" && $0[3] == "input" }, "\(top.stdout)")
        // The open requests, oldest first: "first" was asked before "second".
        let waiting = rows.filter { $0.count == 4 && ($0[1] == "first" || $0[1] == "second") }.map { $0[1] }
        #expect(Array(waiting.prefix(2)) == ["first", "second"], "\(views)")
        // As JSON: one line per refresh.
        let json = try await wfctl.run(["--json", "top", "-n", "1"])
        let view = try JSONParser.parse(json.stdout)
        #expect(view["openRequests"] == 2 && view["requests"]?[0]?["instance"] == "first", "\(json)")
        #expect(view["definitions"]?.arrayValue?.contains { $0["definition"] == "ask" && $0["runsStarted"] == 2 } == true, "\(json)")
        #expect(view["running"]?[0]?["instance"] == "g", "\(json)")
        #expect(try await wfctl.run(["top", "-d", "0"]).status == 64)
        try daemon.open(daemon.gate("g"))
        _ = try await busy.result("run.wait", ["instance": "g"])
        #expect(await daemon.stop() == 0)
    }

    @Test("help texts of the main commands are the tested snapshots", arguments: [
        ["--help"], ["run", "--help"], ["respond", "--help"], ["graph", "--help"], ["events", "--help"], ["reset", "--help"],
        ["console", "--help"],
    ])
    func help(_ arguments: [String]) async throws {
        let outcome = try await Wfctl(socket: "", environment: ["NO_COLOR": "1", "COLUMNS": "100"]).run(arguments, socketOption: false)
        #expect(outcome.status == 0)
        let name = arguments.count == 1 ? "wfctl" : "wfctl-" + arguments[0]
        let file = Self.fixtures.appendingPathComponent("help/\(name).txt")
        if ProcessInfo.processInfo.environment["WFCTL_UPDATE_SNAPSHOTS"] == "1" {
            try outcome.stdout.write(to: file, atomically: true, encoding: .utf8)
        }
        let snapshot = try String(contentsOf: file, encoding: .utf8)
        #expect(outcome.stdout == snapshot, "help changed; if on purpose, run the tests with WFCTL_UPDATE_SNAPSHOTS=1 and commit Fixtures/help")
    }

    @Test("completions and the man page are current and cover every command")
    func completionsAndManual() async throws {
        for (shell, file) in [("bash", "wfctl.bash"), ("zsh", "_wfctl"), ("fish", "wfctl.fish")] {
            let outcome = try await Wfctl(socket: "").run(["--generate-completion-script", shell], socketOption: false)
            let committed = try String(contentsOf: Self.repository.appendingPathComponent("Contrib/completions/\(file)"), encoding: .utf8)
            #expect(outcome.stdout == committed, "Contrib/completions/\(file) is stale: run Contrib/dev/generate-docs")
        }
        let manual = try String(contentsOf: Self.repository.appendingPathComponent("Contrib/man/wfctl.1"), encoding: .utf8)
        for command in ["run", "events", "pending", "respond", "cancel", "create", "list", "show", "delete", "reset", "graph",
                        "checkpoints", "checkpoint", "rewind", "fork", "prune", "definitions", "definition", "validate", "status", "reload",
                        "signal", "retry", "metrics", "top"] {
            #expect(manual.contains(".It Em \(command)\n"), "wfctl(1) lacks \(command)")
        }
        #expect(manual.contains("EXIT STATUS"))
    }

    @Test("respond on a terminal walks the open requests, checks the answer against the schema, explains a rejection")
    func interactiveRespond() async throws {
        let daemon = try await DaemonProcess.started()
        let client = try await daemon.client()
        _ = try await client.result("run.start", ["instance": "i", "definition": "ask", "input": 1, "wait": true])
        let steps: JSON = [
            ["expect": "answer (JSON", "send": "yes\n"],
            ["expect": "not JSON", "send": "{\"ok\": \"sure\"}\n"],
            ["expect": "does not fit", "send": "{\"ok\": true}\n"],
        ]
        let outcome = try await Wfctl.spawn("/usr/bin/python3", [Self.fixtures.appendingPathComponent("pty-drive.py").path, steps.serialized(),
                                                                 try Wfctl.binary(), "respond", "i", "--socket", daemon.socket, "--wait"],
                                            environment: ["NO_COLOR": "1"])
        #expect(outcome.status == 0, "\(outcome)")
        #expect(outcome.stdout.contains("asks: Go on?"))
        #expect(outcome.stdout.contains("expects: an object with ok (boolean, required)"))
        #expect(outcome.stdout.contains("at /ok"), "the rejection says where")
        #expect(outcome.stdout.contains("✓ accepted"))
        let info = try await client.result("instance.get", ["instance": "i"])
        #expect(info["status"] == "idle")
        #expect(try await client.result("run.list", ["instance": "i"])["runs"]?[0]?["outputs"]?[0]?["response"] == ["ok": true])
    }
}

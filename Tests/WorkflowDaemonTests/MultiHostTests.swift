import DaemonTestSupport
import Foundation
import Testing
import WorkflowConcurrency
import WorkflowJSON
import WorkflowProtocol
import WorkflowTestSupport

/// Several workflowd hosts on one PostgreSQL database (DESIGN.md §12): one owner per instance,
/// a clean stop hands over at once, a killed host's work is taken over within the lease, and a
/// host paused past its lease is fenced: its writes are refused and it drops the instance.
///
/// They start their own daemons on a database of their own, so they run in the main pass only.
extension MachineLoadingTests {
    @Suite("Daemon: several hosts on one PostgreSQL database", .enabled(if: !DaemonProcess.storesInPostgres), .timeLimit(.minutes(3)))
    struct MultiHostTests {
        /// Two daemons on one new database, hosts "a" and "b" (the default lease, 3 s).
        func hosts(_ extra: [String] = []) async throws -> (a: DaemonProcess, b: DaemonProcess, database: String) {
            let server = try await PostgresServer.shared()
            let database = try await server.makeDatabase()
            let url = server.url(database: database)
            let a = try await DaemonProcess.started(arguments: ["--database", url, "--host-id", "a"] + extra)
            let b = try await DaemonProcess.started(arguments: ["--database", url, "--host-id", "b"] + extra)
            return (a, b, database)
        }

        /// The instance's log, read from the database itself: (count, distinct seqs, highest seq, run ends).
        func log(_ instance: String, in database: String) async throws -> [Int] {
            let row = try await PostgresServer.shared().sql("""
                SELECT count(*) || ',' || count(DISTINCT seq) || ',' || max(seq) || ',' || count(*) FILTER (WHERE type = 'status' AND body LIKE '%idle%')
                FROM event WHERE instance = '\(instance)'
                """, database: database)
            return row.split(separator: ",").map { Int($0) ?? -1 }
        }

        /// Calls `method` on `client` until it answers, or `limit` passes; the answer and when it came.
        func untilAnswered(_ client: TestClient, _ method: String, _ params: JSON, limit: Duration = .seconds(20)) async throws -> (JSON, Duration) {
            let clock = ContinuousClock()
            let start = clock.now
            while true {
                switch try await client.call(method, params) {
                case .success(let answer): return (answer, clock.now - start)
                case .failure(let error):
                    guard error.code == .instanceElsewhere, clock.now - start < limit else { throw error }
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
        }

        @Test("the host that creates an instance owns it; another host answers for it through the owner (get, respond, wait); status lists both hosts; a clean stop hands over at once")
        func ownershipRelayAndHandover() async throws {
            let (a, b, database) = try await hosts()
            let ca = try await a.client()
            let cb = try await b.client()
            let asked = try await ca.result("run.start", ["instance": "x", "definition": "ask", "input": 1, "wait": true])
            #expect(asked["status"] == "idle_with_pending_requests")
            #expect(try await ca.result("instance.get", ["instance": "x"])["host"] == "a")
            // Through b: the request goes to a, which owns x, and a's answer comes back.
            #expect(try await cb.result("instance.get", ["instance": "x"])["host"] == "a")
            let request = try #require(asked["pendingRequests"]?[0]?.stringValue)
            // Every open request, whichever host owns its instance.
            let everywhere = try await cb.result("request.list")["requests"]?.arrayValue ?? []
            #expect(everywhere.map { $0["id"] } == [.string(request)] && everywhere.first?["instance"] == "x", "\(everywhere)")
            #expect(b.log.contains("could not be loaded to list") == false)
            let accepted = try await cb.result("request.respond", ["instance": "x", "requestId": .string(request), "response": ["ok": true]])
            let finished = try await cb.result("run.wait", ["instance": "x", "runId": accepted["runId"] ?? .null])
            #expect(finished["status"] == "idle" && finished["outputs"]?[0]?["response"] == ["ok": true], "\(finished)")
            let wrong = try await cb.error("request.respond", ["instance": "x", "requestId": "nope", "response": ["ok": true]])
            #expect(wrong.code == .requestNotFound, "the owner's error comes back as it is: \(wrong)")
            let status = try await cb.result("daemon.status")
            #expect(status["host"] == "b")
            let listed = status["hosts"]?.arrayValue ?? []
            #expect(listed.map { $0["id"] } == ["a", "b"] && listed.map { $0["instances"] } == [1, 0] && listed.allSatisfy { $0["alive"] == true },
                    "\(listed)")
            // wfctl status shows them: each host, its heartbeat, what it owns, which one answered.
            let shown = try await Wfctl(socket: b.socket).run(["status"])
            let rows = shown.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
            #expect(shown.status == 0 && rows.contains { $0.first == "HOST" && $0.contains("INSTANCES") }, "\(shown)")
            #expect(rows.contains { $0.first == "a" && $0.last == "1" && $0.contains("ago") }, "\(shown)")
            #expect(rows.contains { $0.first == "b" && $0.contains("(this") && $0.last == "0" }, "\(shown)")

            let again = try await ca.result("run.start", ["instance": "x", "definition": "ask", "input": 2, "wait": true])
            let second = try #require(again["pendingRequests"]?[0]?.stringValue)
            #expect(await a.stop() == 0)
            // Released at the stop, not left for the lease to run out: a's heartbeat row is gone
            // and x is free (or already taken up by b, whose sweep may have come first).
            let server = try await PostgresServer.shared()
            #expect(try await server.sql("SELECT count(*) FROM host WHERE id = 'a'", database: database) == "0")
            #expect(try await server.sql("SELECT coalesce(host, '-') FROM ownership WHERE instance = 'x'", database: database) != "a")
            // So b answers at once (well under a second alone; its bound leaves room for a CI
            // machine running the whole suite beside it, where 3.1 s was seen).
            let (reply, after) = try await untilAnswered(cb, "request.respond", ["instance": "x", "requestId": .string(second), "response": ["ok": false]])
            #expect(after < .seconds(10), "answered \(after) after the stop")
            #expect(try await cb.result("run.wait", ["instance": "x", "runId": reply["runId"] ?? .null])["status"] == "idle")
            #expect(try await cb.result("instance.get", ["instance": "x"])["host"] == "b")
            #expect(try await cb.result("daemon.status")["hosts"]?.arrayValue?.map { $0["id"] } == ["b"])
            #expect(await b.stop() == 0)
        }

        @Test("a request passed to another host keeps the asking peer's rights: another user's instance is not there for nobody, its own is")
        func rightsAcrossHosts() async throws {
            let (a, b, _) = try await hosts(["--socket-mode", "666"])
            for daemon in [a, b] { chmod(daemon.directory, 0o755) }
            _ = try await (try await a.client()).result("run.start", ["instance": "x", "definition": "ask", "input": 1, "wait": true])
            func asNobody(_ daemon: DaemonProcess, _ arguments: [String]) async throws -> Wfctl.Outcome {
                try await Wfctl.spawn("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", try Wfctl.binary()] + arguments,
                                      environment: ["NO_COLOR": "1"], socket: daemon.socket)
            }
            let hidden = try await asNobody(b, ["show", "x"])
            #expect(hidden.status == 66 && hidden.stderr.contains("no instance 'x'"), "\(hidden)")
            let own = try await asNobody(b, ["run", "n", "--definition", "echo", "--input", "1", "--wait"])
            #expect(own.status == 0, "\(own)")
            let shown = try await asNobody(a, ["--json", "show", "n"])  // owned by b, asked of a
            #expect(shown.status == 0 && (try? shown.json())?["owner"] == 65534 && (try? shown.json())?["host"] == "b", "\(shown)")
            #expect(await a.stop() == 0)
            #expect(await b.stop() == 0)
        }

        @Test("kill -9 of the owner: another host answers for its instances within 5 s, takes up its run in progress and finishes it with the response the dead host had acknowledged; no seq reused, no run ended twice")
        func takeoverAfterKill() async throws {
            let (a, b, database) = try await hosts()
            let ca = try await a.client()
            let cb = try await b.client()
            let asked = try await ca.result("run.start", ["instance": "q", "definition": "ask", "input": 1, "wait": true])
            let request = try #require(asked["pendingRequests"]?[0]?.stringValue)
            // A run that asks a person while a program waits on a gate; the person answers on a,
            // which acknowledges the answer while the run goes on.
            let gate = a.gate("g")
            let started = try await ca.result("run.start", ["instance": "g", "definition": "branch", "input": .string(gate)])
            var open: String?
            while open == nil {
                open = try await ca.result("instance.get", ["instance": "g"])["openRequests"]?[0]?["id"]?.stringValue
                if open == nil { try await Task.sleep(for: .milliseconds(20)) }
            }
            _ = try await ca.result("request.respond", ["instance": "g", "requestId": .string(open!), "response": ["ok": true]])
            #expect(try await ca.result("instance.get", ["instance": "g"])["status"] == "in_progress")

            _ = await a.stop(SIGKILL)
            let (accepted, takeover) = try await untilAnswered(cb, "request.respond", ["instance": "q", "requestId": .string(request), "response": ["ok": true]])
            // DESIGN.md's 5 s; under a sanitizer the daemons run several times slower (5.2 s seen
            // under ThreadSanitizer beside the whole suite).
            #expect(takeover <= TestEnvironment.scaled(.seconds(5)), "took \(takeover)")
            #expect(try await cb.result("run.wait", ["instance": "q", "runId": accepted["runId"] ?? .null])["status"] == "idle")

            // The run in progress was taken up by b's sweep, without anyone asking for it.
            try await b.waitForLog("took over the work of hosts that stopped or died", timeout: .seconds(10))
            try a.open(gate)
            let finished = try await cb.result("run.wait", ["instance": "g", "runId": started["runId"] ?? .null])
            let outputs = finished["outputs"]?.arrayValue ?? []
            #expect(finished["status"] == "idle" && outputs.contains("opened") && outputs.contains { $0["response"] == ["ok": true] },
                    "the acknowledged answer reached the run on the other host: \(finished)")
            let events = try await cb.result("events.read", ["instance": "g", "limit": 1000])["events"]?.arrayValue ?? []
            #expect(events.contains { $0["type"] == "run_recovered" })
            for instance in ["q", "g"] {
                let counts = try await log(instance, in: database)
                #expect(counts[0] == counts[1] && counts[1] == counts[2], "\(instance): \(counts) (events, distinct seqs, last seq)")
            }
            #expect(await b.stop() == 0)
        }

        @Test("three hosts: each run in progress of a killed host is taken up by one of the other two, once, and finished once")
        func threeHosts() async throws {
            let (a, b, database) = try await hosts()
            let url = try await PostgresServer.shared().url(database: database)
            let c = try await DaemonProcess.started(arguments: ["--database", url, "--host-id", "c"])
            let ca = try await a.client()
            let names = (0..<6).map { "g\($0)" }
            var runs: [String: JSON] = [:]
            for name in names {
                runs[name] = try await ca.result("run.start", ["instance": .string(name), "definition": "gated", "input": .string(a.gate(name))])["runId"]
            }
            _ = await a.stop(SIGKILL)
            // b and c sweep every second: each frees and takes up what the other did not. Done
            // when, by their own account (daemon.status), they own all six between them.
            let cb = try await b.client()
            let cc = try await c.client()
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                let hosts = try await cb.result("daemon.status")["hosts"]?.arrayValue ?? []
                let taken = hosts.filter { $0["id"] != "a" }.compactMap { $0["instances"]?.intValue }.reduce(0, +)
                if taken == 6 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            var owners: [String: String] = [:]
            for name in names {
                owners[name] = try await cb.result("instance.get", ["instance": .string(name)])["host"]?.stringValue
            }
            #expect(Set(owners.values).isSubset(of: ["b", "c"]) && owners.count == 6, "\(owners)")
            for name in names { try a.open(a.gate(name)) }
            for name in names {
                let finished = try await cc.result("run.wait", ["instance": .string(name), "runId": runs[name] ?? .null])
                #expect(finished["status"] == "idle" && finished["outputs"] == ["opened"], "\(name): \(finished)")
                let recovered = try await PostgresServer.shared().sql("SELECT count(*) FROM event WHERE instance = '\(name)' AND type = 'run_recovered'",
                                                                      database: database)
                #expect(recovered == "1", "\(name) was taken up once: \(recovered)")
                let counts = try await log(name, in: database)
                #expect(counts[0] == counts[1] && counts[1] == counts[2] && counts[3] == 1, "\(name): \(counts)")
            }
            #expect(await b.stop() == 0)
            #expect(await c.stop() == 0)
        }

        @Test("SIGSTOP past the lease: the other host takes the run over and finishes it; after SIGCONT the paused host's commit is refused, it drops the instance, serves on, and nothing is doubled")
        func fencedAfterPause() async throws {
            let (a, b, database) = try await hosts()
            let ca = try await a.client()
            let cb = try await b.client()
            let gate = a.gate("g")
            let started = try await ca.result("run.start", ["instance": "g", "definition": "gated", "input": .string(gate)])
            #expect(try await ca.result("instance.get", ["instance": "g"])["status"] == "in_progress")

            kill(a.pid, SIGSTOP)
            let (info, takeover) = try await untilAnswered(cb, "instance.get", ["instance": "g"])
            #expect(info["host"] == "b" && info["status"] == "in_progress", "\(info)")
            // Within the lease and a sweep, unless a was stopped in the middle of a commit: then
            // its rows stay locked until the server ends its idle transaction (at least 10 s).
            #expect(takeover <= .seconds(15), "took \(takeover)")
            // Both hosts' programs now see the gate open; only b may record what its step gives.
            try a.open(gate)
            let finished = try await cb.result("run.wait", ["instance": "g", "runId": started["runId"] ?? .null])
            #expect(finished["status"] == "idle" && finished["outputs"] == ["opened"], "\(finished)")
            let before = try await log("g", in: database)

            kill(a.pid, SIGCONT)
            try await a.waitForLog("another host took this instance over", timeout: .seconds(20))
            #expect(try await log("g", in: database) == before)
            #expect(before[0] == before[1] && before[1] == before[2] && before[3] == 1, "\(before) (events, distinct seqs, last seq, idle statuses)")
            // The fenced host is up, answers, and owns what it creates next.
            #expect(try await ca.result("daemon.ping")["pong"] == true)
            _ = try await ca.result("run.start", ["instance": "later", "definition": "echo", "input": 1, "wait": true])
            #expect(try await ca.result("instance.get", ["instance": "later"])["host"] == "a")
            #expect(try await ca.result("instance.get", ["instance": "g"])["host"] == "b")  // asked of a, answered by b
            #expect(await a.stop() == 0)
            #expect(await b.stop() == 0)
        }

        @Test("a client subscribed on host b to an instance host a owns sees every event once, in order, through a's death and b's takeover; one subscribed on a resumes on b with afterSeq, missing nothing")
        func subscriptionAcrossHosts() async throws {
            let (a, b, database) = try await hosts()
            let ca = try await a.client()
            let cb = try await b.client()
            let first = a.gate("first")
            let run1 = try await ca.result("run.start", ["instance": "g", "definition": "gated", "input": .string(first)])
            let subscribed = try await cb.result("events.subscribe", ["instance": "g", "afterSeq": 0])
            #expect(subscribed["subscription"]?.stringValue != nil && subscribed["missed"] == nil, "\(subscribed)")
            // Another client follows on a itself (the owner: its subscription is the instance's own).
            let onA = try await a.client()
            _ = try await onA.result("events.subscribe", ["instance": "g", "afterSeq": 0])
            try a.open(first)
            var seen = try await cb.events { $0["type"] == "status" && $0["runId"] == run1["runId"] && $0["status"] == "idle" }

            let second = a.gate("second")
            let run2 = try await ca.result("run.start", ["instance": "g", "definition": "gated", "input": .string(second)])
            seen += try await cb.events { $0["type"] == "superstep_started" && $0["runId"] == run2["runId"] }
            let seenOnA = try await onA.events { $0["type"] == "superstep_started" && $0["runId"] == run2["runId"] }
            _ = await a.stop(SIGKILL)
            // a's client lost its host: it subscribes again on b, after the last event it saw.
            let lastOnA = try #require(seenOnA.last?["seq"]?.intValue)
            let resumed = try await b.client()
            _ = try await resumed.result("events.subscribe", ["instance": "g", "afterSeq": .number(Double(lastOnA))])
            // b takes the run over (its sweep); the subscription goes on reading the log.
            seen += try await cb.events { $0["type"] == "run_recovered" }
            try a.open(second)
            seen += try await cb.events { $0["type"] == "status" && $0["runId"] == run2["runId"] && $0["status"] == "idle" }

            let seqs = seen.compactMap { $0["seq"]?.intValue }
            #expect(seqs == Array(1...seqs.count), "every event once, in order: \(seqs)")
            let rest = try await resumed.events { $0["type"] == "status" && $0["runId"] == run2["runId"] && $0["status"] == "idle" }
            let joined = (seenOnA + rest).compactMap { $0["seq"]?.intValue }
            #expect(joined == seqs, "a's client, resumed on b, saw what b's saw: \(joined)")
            let counts = try await log("g", in: database)
            #expect(counts[0] == counts[1] && counts[2] >= seqs.count, "\(counts)")
            #expect(await b.stop() == 0)
        }

        @Test("PostgreSQL restarted under load: both hosts reconnect and go on; every run they acknowledged is in the database")
        func databaseRestartUnderLoad() async throws {
            let server = try await PostgresServer.dedicated()
            let database = try await server.makeDatabase()
            let url = server.url(database: database)
            let daemons = [try await DaemonProcess.started(arguments: ["--database", url, "--host-id", "a"]),
                           try await DaemonProcess.started(arguments: ["--database", url, "--host-id", "b"])]
            let load = RunLoad()  // phases: 0 before, 1 during, 2 after the restart
            await withTaskGroup(of: Void.self) { group in
                for (host, daemon) in daemons.enumerated() {
                    for worker in 0..<2 { group.addTask { await load.drive(daemon.socket, instance: "l\(host)-\(worker)") } }
                }
                await load.await(10, in: 0)
                load.phase.withLock { $0 = 1 }
                try? await server.restart()
                load.phase.withLock { $0 = 2 }
                // Both hosts acknowledge runs again, then the load stops.
                await load.await(20, in: 2)
                load.stop()
            }
            #expect(load.count(in: 0) > 0 && load.count(in: 2) >= 20, "acknowledged before and after the restart")
            let (missing, statuses) = try await load.missing(in: database, on: server)
            #expect(missing.isEmpty && statuses == ["idle"], "every acknowledged run is stored, finished: missing \(missing.count) (by phase: \(missing.values.sorted())); \(statuses)")
            for daemon in daemons {
                let client = try await daemon.client()
                let hosts = try await client.result("daemon.status")["hosts"]?.arrayValue ?? []
                #expect(hosts.count == 2 && hosts.allSatisfy { $0["alive"] == true }, "\(hosts)")
            }
            for daemon in daemons { #expect(await daemon.stop() == 0) }
        }

        @Test("kill -9 of the owner during load from both hosts: the other host answers for its instances within 5 s; every acknowledged run is stored; no seq reused, no superstep recorded twice")
        func killDuringLoad() async throws {
            let (a, b, database) = try await hosts()
            let server = try await PostgresServer.shared()
            // a owns every instance: its own clients' and those b's clients reach through it.
            let ca = try await a.client()
            for worker in 0..<2 {
                for side in ["a", "b"] { _ = try await ca.result("instance.create", ["name": .string("\(side)\(worker)"), "definition": "echo"]) }
            }
            let load = RunLoad()  // phases: 0 before the kill, 1 after
            let clock = ContinuousClock()
            var killedAt = clock.now
            await withTaskGroup(of: Void.self) { group in
                for worker in 0..<2 {
                    group.addTask { await load.drive(a.socket, instance: "a\(worker)") }
                    group.addTask { await load.drive(b.socket, instance: "b\(worker)") }
                }
                await load.await(10, in: 0)
                _ = await a.stop(SIGKILL)
                killedAt = clock.now
                load.phase.withLock { $0 = 1 }
                await load.await(20, in: 1)
                load.stop()
            }
            #expect(load.count(in: 0) > 0 && load.count(in: 1) >= 20, "acknowledged before and after the kill")
            let (missing, statuses) = try await load.missing(in: database, on: server)
            #expect(missing.isEmpty && statuses == ["idle"], "every acknowledged run is stored, finished: missing \(missing.count); \(statuses)")
            // The takeover: b answered for a's instances soon after the kill.
            let takeover = try #require(load.firstInPhase.withLock { $0[1] }) - killedAt
            #expect(takeover <= TestEnvironment.scaled(.seconds(5)), "first run acknowledged \(takeover) after the kill")
            for worker in 0..<2 {
                for side in ["a", "b"] {
                    let counts = try await log("\(side)\(worker)", in: database)
                    #expect(counts[0] == counts[1] && counts[1] == counts[2], "\(side)\(worker): \(counts) (events, distinct seqs, last seq)")
                }
            }
            let doubled = try await server.sql("""
                SELECT count(*) FROM (SELECT runId, body FROM event WHERE type = 'superstep_completed' GROUP BY runId, body HAVING count(*) > 1) AS twice
                """, database: database)
            #expect(doubled == "0", "supersteps recorded twice: \(doubled)")
            #expect(await b.stop() == 0)
        }

        @Test("PostgreSQL away for a few seconds: a host says so once in its journal, and once when it is back, not every second")
        func outageLogsOnce() async throws {
            let server = try await PostgresServer.dedicated()
            let database = try await server.makeDatabase()
            let daemon = try await DaemonProcess.started(arguments: ["--database", server.url(database: database), "--host-id", "a"])
            try await server.stop()
            try await Task.sleep(for: .seconds(4))
            try await server.restart()
            try await daemon.waitForLog("this host's heartbeat is recorded again", timeout: .seconds(20))
            try await daemon.waitForLog("taking the commands waiting for this host again", timeout: .seconds(20))
            let log = daemon.log
            #expect(log.occurrences(of: "could not record this host's heartbeat") == 1, "\(log)")
            #expect(log.occurrences(of: "could not take the commands waiting for this host") == 1, "\(log)")
            #expect(try await (try await daemon.client()).result("daemon.status")["hosts"]?.arrayValue?.first?["alive"] == true)
            #expect(await daemon.stop() == 0)
        }
    }
}

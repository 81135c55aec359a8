import DaemonTestSupport
import Foundation
import Testing
import WorkflowJSON
import WorkflowProtocol
import WorkflowTestSupport

/// Schedules over the socket, with real (short) intervals: the daemon's schedule service fires
/// them; a kill -9 loses no fire and doubles none; missed fires are caught up as each says.
@Suite("Daemon: schedules")
struct ScheduleDaemonTests {
    /// The recorded runs of `instance` (every page the test needs: at most 1000).
    static func runs(_ client: TestClient, _ instance: String) async throws -> [JSON] {
        // The first fire creates the instance.
        guard try await client.result("instance.list")["instances"]?.arrayValue?.contains(where: { $0["name"] == .string(instance) }) == true else {
            return []
        }
        return try await client.result("run.list", ["instance": .string(instance), "limit": 1000])["runs"]?.arrayValue ?? []
    }

    /// Polls until `instance` has at least `count` recorded runs that ended (60 s at most).
    static func awaitRuns(_ client: TestClient, _ instance: String, atLeast count: Int) async throws -> [JSON] {
        let deadline = Date().addingTimeInterval(60)
        while true {
            let runs = try await runs(client, instance).filter { $0["endedAt"] != nil }
            if runs.count >= count || Date() > deadline { return runs }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Sets stored schedules' next fire (the daemon is down), as if it had been down since then.
    static func moveNextFire(_ daemon: DaemonProcess, _ names: [String], to time: Double) async throws {
        let list = names.map { "'\($0)'" }.joined(separator: ",")
        let moved = try await daemon.updateStoredState(["UPDATE schedule SET nextFire = \(time) WHERE name IN (\(list))"])
        #expect(moved == names.count)
    }

    @Test("every 1s: runs start with trigger schedule and the schedule's name and time; get and list show the next fires; pause stops the fires, resume goes on, trigger fires a paused one")
    func everySecond() async throws {
        let daemon = try await DaemonProcess.started()
        let client = try await daemon.client()
        let created = try await client.result("schedule.create", ["name": "tick", "instance": "t", "definition": "echo", "every": "1s",
                                                                  "input": ["n": 1]])
        #expect(created["every"] == "1s")
        #expect(created["source"] == "api")
        #expect(created["nextFires"]?.arrayValue?.count == 3)
        let runs = try await Self.awaitRuns(client, "t", atLeast: 2)
        #expect(runs.count >= 2)
        for run in runs {
            #expect(run["trigger"] == "schedule")
            #expect(run["schedule"]?["name"] == "tick")
            #expect(run["input"] == ["n": 1])
            #expect(run["outputs"] == [["n": 1]])
        }
        let times = runs.compactMap { $0["schedule"]?["scheduledFor"]?.stringValue }
        #expect(Set(times).count == times.count, "one run per time: \(times)")
        #expect(times.allSatisfy { $0.hasSuffix(".000Z") }, "an interval counts whole seconds from the epoch: \(times)")
        // The last fire started a run, or (on a loaded machine, when the run before it was still
        // going at the next second) was skipped as the overlap policy says, naming the busy run.
        let info = try await client.result("schedule.get", ["name": "tick"])
        let last = info["lastFire"]
        #expect(last?["outcome"] == "started" || (last?["outcome"] == "skipped" && last?["error"]?.stringValue?.contains("busy") == true),
                "\(last ?? .null)")
        let listed = try await client.result("schedule.list")["schedules"]?.arrayValue ?? []
        #expect(listed.map { $0["name"] } == ["tick"])

        let paused = try await client.result("schedule.pause", ["name": "tick"])
        let pausedAt = Date().timeIntervalSince1970
        #expect(paused["paused"] == true)
        #expect(paused["nextFires"] == [])
        // A fire already under way when the pause came is for a time before it (however slow a
        // sanitizer makes it): none may be for a time after. The witness, a schedule made after
        // the pause, firing twice shows the service went on meanwhile.
        _ = try await client.result("schedule.create", ["name": "beat", "instance": "b", "definition": "echo", "every": "1s"])
        #expect(try await Self.awaitRuns(client, "b", atLeast: 2).count >= 2)
        _ = try await client.result("schedule.delete", ["name": "beat"])
        let late = try await Self.runs(client, "t").compactMap { $0["schedule"]?["scheduledFor"]?.stringValue }
            .filter { (try? Timestamp.parse($0)) ?? 0 > pausedAt }
        #expect(late.isEmpty, "a paused schedule fires nothing: \(late)")
        let settled = try await Self.runs(client, "t").count
        let fired = try await client.result("schedule.trigger", ["name": "tick"])
        #expect(fired["outcome"] == "started")
        _ = try await client.result("run.wait", ["instance": "t", "runId": try #require(fired["runId"])])
        _ = try await client.result("schedule.resume", ["name": "tick"])
        #expect(try await Self.awaitRuns(client, "t", atLeast: settled + 3).count >= settled + 3)
        #expect(try await client.result("schedule.delete", ["name": "tick"])["deleted"] == true)
        #expect(try await client.error("schedule.get", ["name": "tick"]).code == RPCError.Code(rawValue: -32016))
    }

    @Test("kill -9, then a graceful stop, while a schedule fires every second: after each restart each time has exactly one run, and the missed ones are caught up (catchUp all)")
    func killAtFireTime() async throws {
        let daemon = try await DaemonProcess.started()
        var client = try await daemon.client()
        _ = try await client.result("schedule.create", ["name": "k", "instance": "k", "definition": "echo", "every": "1s",
                                                        "catchUp": "all", "overlap": "queue"])
        _ = try await Self.awaitRuns(client, "k", atLeast: 3)
        await daemon.kill9()
        // As if it had been down three seconds more: those fires are caught up too (never later
        // than the stored next fire, so no time is skipped).
        let earlier = (Timestamp.now() - 3).rounded(.down)
        let moved = try await daemon.updateStoredState(["UPDATE schedule SET nextFire = CASE WHEN nextFire < \(earlier) THEN nextFire ELSE \(earlier) END WHERE name = 'k'"])
        #expect(moved == 1)
        try await daemon.start()
        client = try await daemon.client()
        var before = try await Self.runs(client, "k").count
        _ = try await Self.awaitRuns(client, "k", atLeast: before + 3)
        // A graceful stop while it fires: a fire the stop interrupts is taken again after the
        // restart, not recorded as failed and skipped.
        _ = await daemon.stop()
        try await daemon.start()
        client = try await daemon.client()
        before = try await Self.runs(client, "k").count
        _ = try await Self.awaitRuns(client, "k", atLeast: before + 3)
        _ = try await client.result("schedule.pause", ["name": "k"])
        // Let what was queued finish.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let info = try await client.result("instance.get", ["instance": "k"])
            if info["activeRunId"] == nil && (info["queuedRunIds"]?.arrayValue ?? []).isEmpty { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let times = try await Self.runs(client, "k").compactMap { $0["schedule"]?["scheduledFor"]?.stringValue }
            .map { try Timestamp.parse($0) }.sorted()
        #expect(Set(times).count == times.count, "no time fired twice: \(times)")
        let first = try #require(times.first), last = try #require(times.last)
        #expect(times.count == Int(last - first) + 1, "every second from \(first) to \(last) has its run (the down time caught up): \(times)")
    }

    @Test("catch-up after a stopped daemon: none fires nothing for the missed hours, latest the last one, all each within the window")
    func catchUpPolicies() async throws {
        let daemon = try await DaemonProcess.started()
        var client = try await daemon.client()
        for (name, policy, window) in [("none", "none", "24h"), ("latest", "latest", "24h"), ("all", "all", "24h"), ("window", "all", "2h")] {
            _ = try await client.result("schedule.create", ["name": .string(name), "instance": .string(name), "definition": "echo",
                                                            "every": "1h", "catchUp": .string(policy), "catchUpWindow": .string(window),
                                                            "overlap": "queue"])
        }
        _ = await daemon.stop()
        // As if the daemon had been down for three hours and more: the fires at the last four
        // whole hours were missed.
        let hour = (Date().timeIntervalSince1970 / 3600).rounded(.down) * 3600
        try await Self.moveNextFire(daemon, ["none", "latest", "all", "window"], to: hour - 3 * 3600)
        try await daemon.start()
        client = try await daemon.client()
        let latest = try await Self.awaitRuns(client, "latest", atLeast: 1)
        #expect(latest.map { $0["schedule"]?["scheduledFor"] } == [.string(Timestamp.format(hour))])
        let all = try await Self.awaitRuns(client, "all", atLeast: 4)
        #expect(Set(all.compactMap { $0["schedule"]?["scheduledFor"]?.stringValue }) == Set((0...3).map { Timestamp.format(hour - Double($0) * 3600) }))
        let window = try await Self.awaitRuns(client, "window", atLeast: 2)
        #expect(Set(window.compactMap { $0["schedule"]?["scheduledFor"]?.stringValue }) == Set([Timestamp.format(hour), Timestamp.format(hour - 3600)]))
        let none = try await client.result("schedule.get", ["name": "none"])
        #expect(none["lastFire"] == nil)
        #expect(try await Self.runs(client, "none").isEmpty, "catchUp none runs nothing for the past")
        #expect(try Timestamp.parse(try #require(none["nextFires"]?[0]?.stringValue)) == hour + 3600)
    }

    @Test("a definition file declares schedules; a reload that changes one applies the new cadence, one removed is deleted, a name taken by schedule.create is reported")
    func reloadChangesSchedules() async throws {
        let daemon = try await DaemonProcess.started()
        let client = try await daemon.client()
        _ = try await client.result("schedule.create", ["name": "taken", "instance": "x", "every": "1h"])
        try daemon.writeDefinition("nightly.yaml", """
            name: nightly
            start: out
            executors:
              out: { kind: output }
            schedules:
              - { name: report, instance: reports, every: 1h, input: {kind: report} }
              - { name: taken, instance: y, every: 1h }
            """)
        let reloaded = try await client.result("daemon.reload")
        #expect(reloaded["errors"]?.arrayValue?.contains { $0["message"]?.stringValue?.contains("schedule 'taken' is not declared") == true } == true,
                "\(reloaded)")
        let report = try await client.result("schedule.get", ["name": "report"])
        #expect(report["source"] == "file")
        #expect(report["definition"] == "nightly")
        #expect(report["every"] == "1h")
        #expect(try await client.result("schedule.get", ["name": "taken"])["source"] == "api")
        let denied = try await client.error("schedule.delete", ["name": "report"])
        #expect(denied.code == .permissionDenied)
        #expect(denied.message.contains("nightly.yaml"))

        try daemon.writeDefinition("nightly.yaml", """
            name: nightly
            start: out
            executors:
              out: { kind: output }
            schedules:
              - { name: report, instance: reports, cron: "0 3 * * *", timeZone: Europe/Paris }
            """)
        _ = try await client.result("daemon.reload")
        let changed = try await client.result("schedule.get", ["name": "report"])
        #expect(changed["cron"] == "0 3 * * *")
        #expect(changed["every"] == nil)
        let next = try #require(changed["nextFires"]?[0]?.stringValue)
        #expect(next.hasSuffix("T01:00:00.000Z") || next.hasSuffix("T02:00:00.000Z"), "03:00 in Paris is 01:00 or 02:00 UTC: \(next)")

        try daemon.writeDefinition("nightly.yaml", TestDefinitions.echo.replacing("name: echo", with: "name: nightly"))
        _ = try await client.result("daemon.reload")
        #expect(try await client.error("schedule.get", ["name": "report"]).code == RPCError.Code(rawValue: -32016))
    }

    @Test("backfill fires each time of a past range, queued in order; again, each finds its run; overlap skip records a busy instance's fire as skipped")
    func backfillAndOverlap() async throws {
        let daemon = try await DaemonProcess.started()
        let client = try await daemon.client()
        _ = try await client.result("schedule.create", ["name": "b", "instance": "b", "definition": "echo", "every": "1h", "paused": true])
        let hour = (Date().timeIntervalSince1970 / 3600).rounded(.down) * 3600
        let range: JSON = ["name": "b", "from": .string(Timestamp.format(hour - 4 * 3600)), "to": .string(Timestamp.format(hour - 3600))]
        let fires = try await client.result("schedule.backfill", range)["fires"]?.arrayValue ?? []
        #expect(fires.map { $0["scheduledFor"] } == (1...4).reversed().map { .string(Timestamp.format(hour - Double($0) * 3600)) })
        #expect(fires.allSatisfy { $0["outcome"] == "started" || $0["outcome"] == "queued" })
        let runs = try await Self.awaitRuns(client, "b", atLeast: 4)
        #expect(runs.count == 4)
        let again = try await client.result("schedule.backfill", range)["fires"]?.arrayValue ?? []
        #expect(again.map { $0["outcome"] } == Array(repeating: "existing", count: 4))
        #expect(again.map { $0["runId"] } == fires.map { $0["runId"] })
        let future = try await client.error("schedule.backfill", ["name": "b", "from": .string(Timestamp.format(hour)),
                                                                  "to": .string(Timestamp.format(hour + 7200))])
        #expect(future.code == .invalidParams)

        // A gated run holds the instance: the skip policy's fire is recorded as skipped.
        let gate = daemon.gate("g")
        _ = try await client.result("run.start", ["instance": "g", "definition": "gated", "input": .string(gate)])
        _ = try await client.result("schedule.create", ["name": "s", "instance": "g", "every": "1h", "paused": true])
        let skipped = try await client.result("schedule.trigger", ["name": "s"])
        #expect(skipped["outcome"] == "skipped")
        #expect(skipped["error"]?.stringValue?.contains("busy") == true)

        // cancelPrevious: the gated run is cancelled, and the fire's run comes after it.
        let held = try await client.result("instance.get", ["instance": "g"])["activeRunId"]
        _ = try await client.result("schedule.create", ["name": "c", "instance": "g", "every": "1h", "paused": true,
                                                        "overlap": "cancelPrevious", "input": .string(daemon.gate("never"))])
        let replaced = try await client.result("schedule.trigger", ["name": "c"])
        #expect(replaced["outcome"] == "started" || replaced["outcome"] == "queued", "\(replaced)")
        #expect(try await client.result("run.wait", ["instance": "g", "runId": try #require(held)])["status"] == "cancelled")
        let next = try await client.result("instance.get", ["instance": "g"])
        #expect(next["activeRunId"] == replaced["runId"], "the fire's run is the active one now")
        _ = try await client.result("run.cancel", ["instance": "g"])
        try daemon.open(gate)
    }

    @Test("bad schedules are refused naming the problem; names are unique; the schedule: key prefix is reserved")
    func errors() async throws {
        let daemon = try await DaemonProcess.started()
        let client = try await daemon.client()
        let cases: [(JSON, String)] = [
            (["name": "a", "instance": "i", "cron": "61 * * * *"], "params.cron: the minute field '61'"),
            (["name": "a", "instance": "i", "cron": "0 * * * *", "timeZone": "Mars/Olympus"], "params.timeZone: unknown time zone 'Mars/Olympus'"),
            (["name": "a", "instance": "i"], "params.cron: give cron"),
            (["name": "a", "instance": "i", "every": "0s"], "params.every: must be at least 1s"),
            (["name": "a", "instance": "i", "every": "1m", "cron": "@daily"], "params.every: give cron or every, not both"),
            (["name": "a", "instance": "i", "every": "1m", "overlap": "sometimes"], "params.overlap: 'sometimes' is not one of skip, queue, cancelPrevious, allow"),
            (["name": "a:b", "instance": "i", "every": "1m"], "params.name"),
        ]
        for (params, message) in cases {
            let error = try await client.error("schedule.create", params)
            #expect(error.code == .invalidParams)
            #expect(error.message.contains(message), "\(error.message)")
        }
        let unknown = try await client.error("schedule.create", ["name": "a", "instance": "i", "every": "1m", "definition": "nope"])
        #expect(unknown.code == .definitionNotFound)
        _ = try await client.result("schedule.create", ["name": "a", "instance": "i", "every": "1h"])
        #expect(try await client.error("schedule.create", ["name": "a", "instance": "j", "every": "1h"]).code == RPCError.Code(rawValue: -32017))
        let reserved = try await client.error("run.start", ["instance": "e", "definition": "echo", "idempotencyKey": "schedule:a:2026-01-01T00:00:00Z"])
        #expect(reserved.code == .invalidParams)
        // A fire on an instance that does not exist (no definition to make it) is recorded as failed.
        let failed = try await client.result("schedule.trigger", ["name": "a"])
        #expect(failed["outcome"] == "failed")
        #expect(failed["error"]?.stringValue?.contains("'i'") == true)
    }
}

import Foundation
import GRDB
import Testing
import WorkflowEngine
import WorkflowTestSupport
@testable import WorkflowStore

/// Kills a real process that writes through the store with SIGKILL at many different points, then
/// reopens the database and checks that it is consistent.
@Suite("Crash consistency (SIGKILL)")
struct CrashTests {
    /// The crasher binary, built beside the test bundle (`swift build --build-tests` builds it).
    static func crasherPath() throws -> String {
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        var directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
        // The test runner lives in <build>/debug/ or inside <build>/debug/*.xctest/.
        for _ in 0..<3 {
            let candidate = directory.appendingPathComponent("workflowd-store-crasher").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        throw WorkflowError(.storeFailed, "workflowd-store-crasher is not built next to the tests (run `swift build --build-tests` first)")
    }

    /// Starts the writer (optionally told to kill itself inside a commit), lets it report `lines`
    /// lines (after "ready"), then kills it with SIGKILL if it is still alive.
    static func runAndKill(_ crasher: String, database: String, lines: Int, sabotage: [String] = []) async throws -> [String] {
        // A crash ends the writer at once (no backtracer holding its pipes), to be reported below.
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        let writer = try ChildProcess.start(crasher, [database] + sabotage, environment: environment)
        var seen: [String] = []
        for await line in writer.lines {  // ends early if the writer exits on its own
            seen.append(line)
            if seen.count >= lines + 1 { break }
        }
        let status = await writer.kill()
        // Killed (by this test or by its saboteur), never ended by an error of its own.
        #expect(status == -SIGKILL, "the writer ended with status \(status) after \(seen.suffix(3)): \(writer.stderrTail)")
        return seen
    }

    /// Everything that must hold whenever the database is reopened.
    static func checkConsistency(_ path: String, round: Int) async throws {
        let store = try SQLiteStore(path: path)
        #expect(try await store.integrityProblems().isEmpty, "round \(round): integrity")
        let events = try await store.events(instance: "crash", afterSeq: 0, limit: .max)
        // Seqs are contiguous from 1: none lost from the log's middle, none reused.
        #expect(events.map(\.seq) == (0..<events.count).map { UInt64($0 + 1) }, "round \(round): seqs")
        // No half superstep: every superstep_completed is followed, in the same commit, by its checkpoint.
        for (position, event) in events.enumerated() {
            guard case .superstepCompleted(let superstep) = event.body else { continue }
            let next = position + 1 < events.count ? events[position + 1].body : nil
            guard case .checkpointSaved(_, let saved)? = next, saved == superstep else {
                Issue.record("round \(round): superstep_completed #\(superstep) (seq \(event.seq)) has no checkpoint after it")
                continue
            }
        }
        // No checkpoint without its event, no event without its checkpoint (unless retention removed it).
        let saved = Set(events.compactMap { event -> String? in
            if case .checkpointSaved(let id, _) = event.body { return id }
            return nil
        })
        let rows = try await store.checkpoints(instance: "crash")
        for row in rows { #expect(saved.contains(row.id), "round \(round): checkpoint \(row.id) has no checkpoint_saved event") }
        // The writer keeps 20 checkpoints: the newest 20 checkpoint_saved events all have theirs.
        let stored = Set(rows.map(\.id))
        let newest = events.compactMap { event -> String? in
            if case .checkpointSaved(let id, _) = event.body { return id }
            return nil
        }.suffix(20)
        for id in newest { #expect(stored.contains(id), "round \(round): checkpoint_saved for \(id) but no checkpoint") }
        // The head exists, and the status is the last status logged.
        let record = try #require(try await store.instance(named: "crash"))
        if let head = record.head { #expect(try await store.checkpoint(id: head) != nil, "round \(round): head \(head) is missing") }
        let lastStatus = events.compactMap { event -> InstanceStatus? in
            if case .status(let status) = event.body { return status }
            return nil
        }.last
        #expect(lastStatus == nil || record.status == lastStatus?.rawValue, "round \(round): status \(record.status) vs \(String(describing: lastStatus))")
        // Every checkpoint parses, and at most one run is in progress.
        for row in rows { _ = try #require(try await store.checkpoint(id: row.id)) }
        #expect(try await store.runs(instance: "crash").filter { $0.status == "in_progress" }.count <= 1, "round \(round): runs in progress")
        // Every inbox entry was accepted by an event.
        let accepted = Set(events.compactMap { event -> String? in
            if case .responseAccepted(let id, _, _) = event.body { return id }
            return nil
        })
        for response in try await store.recover().first?.recovery.undeliveredResponses ?? [] {
            #expect(accepted.contains(response.requestID), "round \(round): inbox entry \(response.requestID) without its event")
        }
    }

    @Test("a writer killed with SIGKILL at many points always leaves a consistent database, and recovers from it",
          .timeLimit(.minutes(5)))
    func killedWriter() async throws {
        let crasher = try Self.crasherPath()
        let db = try TemporaryDatabase()
        var generator = SeededGenerator(environment: ProcessInfo.processInfo.environment)
        print("CrashTests seed: \(generator.seed) (WORKFLOWD_TEST_SEED=\(generator.seed) replays it)")
        var previousEvents = 0
        var killedAt: [Int] = []
        for round in 0..<30 {
            // A third of the rounds: killed from outside (during recovery, or after a few runs, mid-run);
            // the others: the writer kills itself just before its K-th commit lands, or at the K-th
            // statement that writes inside a transaction. Every other round recovers in mode fail.
            var lines = 1_000
            var sabotage = ["--recover", round % 2 == 0 ? "resume" : "fail"]
            switch round % 3 {
            case 0: lines = round % 6 == 0 ? 0 : Int.random(in: 1...6, using: &generator)
            case 1: sabotage += ["--die-at-commit", String(Int.random(in: 1...120, using: &generator))]
            default: sabotage += ["--die-at-write", String(Int.random(in: 1...300, using: &generator))]
            }
            killedAt.append(lines)
            let output = try await Self.runAndKill(crasher, database: db.path, lines: lines, sabotage: sabotage)
            #expect(sabotage.count == 2 ? output.first?.hasPrefix("ready") == true : true, "round \(round) (seed \(generator.seed)): the writer did not start: \(output)")
            try await Self.checkConsistency(db.path, round: round)
            let events = try await SQLiteStore(path: db.path).events(instance: "crash", afterSeq: 0, limit: .max).count
            #expect(events >= previousEvents, "round \(round) (seed \(generator.seed)): the log shrank")
            previousEvents = events
        }
        let store = try SQLiteStore(path: db.path)
        let runs = try await store.runs(instance: "crash")
        #expect(runs.count > 20, "the writer made too little progress to mean anything (killed after \(killedAt) lines)")
        #expect(runs.contains { $0.error?["code"] == "interrupted" }, "no interrupted run was recorded failed")
        #expect(runs.contains { $0.trigger == "input" && $0.status != "in_progress" }, "no run ended")
        let events = try await store.events(instance: "crash", afterSeq: 0, limit: .max)
        #expect(events.contains { $0.kind == .runRecovered }, "no run was resumed")
    }
}

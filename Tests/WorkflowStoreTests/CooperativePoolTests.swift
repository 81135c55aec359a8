import Foundation
import GRDB
import Testing
import WorkflowEngine
import WorkflowTestSupport
@testable import WorkflowStore

/// SQLite's blocking work runs on the store's own threads: while commits wait for the database,
/// Swift's cooperative pool (two threads on this machine) stays free for everything else.
@Suite("The store never blocks the cooperative pool")
struct CooperativePoolTests {
    @Test("with four commits waiting on a locked database, other tasks still run", .timeLimit(.minutes(3)))
    func commitsWaitOffThePool() async throws {
        let db = try TemporaryDatabase()
        // The commits wait for the lock as long as this test holds it (a slow, instrumented run included).
        let store = try SQLiteStore(path: db.path, configuration: .init(busyTimeout: 600))
        var builder = WorkflowBuilder(name: "one", start: "a")
        builder.addExecutor("a", kind: "a") { FunctionExecutor(runsInline: true) { m, c in c.yieldOutput(m) } }
        let workflow = try builder.build()
        var instances: [WorkflowInstance] = []
        for n in 0..<4 { instances.append(try await makeInstance(workflow, store: store, name: "i\(n)")) }
        // Another connection takes the write lock and keeps it: every commit has to wait.
        var holding = Configuration()
        holding.allowsUnsafeTransactions = true
        let blocker = try DatabaseQueue(path: db.path, configuration: holding)
        try blocker.inDatabase { try $0.execute(sql: "BEGIN IMMEDIATE") }
        let all = instances
        async let runs = withThrowingTaskGroup(of: RunResult.self) { group in
                for instance in all { group.addTask { try await instance.run(1) } }
                var results: [RunResult] = []
                for try await result in group { results.append(result) }
                return results
        }
        // While they wait, the pool still runs other work at once.
        let clock = ContinuousClock()
        for round in 0..<5 {
            let started = clock.now
            let sum = await withTaskGroup(of: Int.self) { group in
                for n in 0..<8 { group.addTask { (0...n * 1000).reduce(0, +) } }
                return await group.reduce(0, +)
            }
            #expect(sum > 0)
            // Blocked, it would wait as long as the lock is held (to the end of the test); a loaded
            // 2-core machine running the other suites beside this one takes more than a second.
            #expect(clock.now - started < TestEnvironment.scaled(.seconds(5)), "round \(round): the pool was blocked for \(clock.now - started)")
            try await Task.sleep(for: .milliseconds(100))
        }
        // None of the runs could commit yet; once the lock goes, all of them do.
        for instance in instances { #expect(await instance.activeRunID != nil) }
        try blocker.inDatabase { try $0.execute(sql: "COMMIT") }
        let results = try await runs
        #expect(results.count == 4 && results.allSatisfy { $0.status == .idle })
        for n in 0..<4 { #expect(try await store.runs(instance: "i\(n)").count == 1) }
    }
}

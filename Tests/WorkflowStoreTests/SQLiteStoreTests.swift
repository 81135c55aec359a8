import Foundation
import GRDB
import Synchronization
import Testing
import WorkflowTestSupport
import WorkflowEngine
import WorkflowConcurrency
@testable import WorkflowStore

/// draft → ask (a request) → publish; each run: start checkpoint, 2 supersteps, a request.
func approvalWorkflow() throws -> Workflow {
    var builder = WorkflowBuilder(name: "approval", start: "draft")
    builder.addExecutor("draft", kind: "draft") { FunctionExecutor { m, c in c.setState("draft", m); c.send(m) } }
    builder.addExecutor("ask", kind: "ask") { FunctionExecutor { m, c in c.requestInfo(["draft": m]) } }
    builder.addExecutor("publish", kind: "publish") { FunctionExecutor { m, c in c.yieldOutput(m["response"] ?? nil) } }
    builder.addEdge(from: "draft", to: "ask")
    builder.addEdge(from: "ask", to: "publish")
    return try builder.build()
}

func makeInstance(_ workflow: Workflow, store: any SQLStore, name: String = "i", onBusy: BusyPolicy = .reject) async throws -> WorkflowInstance {
    try await store.createInstance(InstanceRecord(name: name, definition: workflow.name, definitionHash: workflow.graphHash,
                                            onBusy: onBusy.rawValue, createdAt: Timestamp.now()))
    return WorkflowInstance(name: name, workflow: workflow, configuration: .init(store: store, onBusy: onBusy))
}

@Suite("Store conformance (SQLite and PostgreSQL)", .timeLimit(.minutes(10)))
struct StoreConformanceTests {
    @Test("a run's checkpoints, events, status, run record and inbox land in the database", arguments: StoreBackend.allCases)
    func commitPath(_ backend: StoreBackend) async throws {
        let place = try await StorePlace(backend)
        let store = try await place.open()
        let instance = try await makeInstance(try approvalWorkflow(), store: store)
        let first = try await instance.run("text")
        #expect(first.status == .idleWithPendingRequests)
        #expect(try await store.checkpoints(instance: "i").map(\.reason) == [.runStarted, .superstep, .superstep])
        #expect(try await store.instance(named: "i")?.status == "idle_with_pending_requests")
        #expect(try await store.instance(named: "i")?.head == (try await store.checkpoints(instance: "i").last?.id))
        let logged = try await store.events(instance: "i", afterSeq: 0, limit: 1000)
        #expect(logged.map(\.seq) == Array(1...UInt64(logged.count)))
        let outcome = try await instance.respond(to: first.pendingRequests[0].id, with: "yes")
        let second = try await instance.result(of: outcome.runID)
        #expect(second.outputs == ["yes"])
        let runs = try await store.runs(instance: "i")
        #expect(runs.map(\.status) == ["idle_with_pending_requests", "idle"])
        #expect(runs.map(\.trigger) == ["input", "response"])
        #expect(runs[0].input == "text" && runs[1].input == "yes")
        #expect(runs[1].outputs == ["yes"])
        #expect(try await store.recover().first?.recovery.undeliveredResponses.isEmpty == true)  // delivered
        // Reopening gives back the same (a second connection, as after a restart).
        let reopened = try await place.open()
        #expect(try await reopened.events(instance: "i", afterSeq: 0, limit: 1000) == (try await store.events(instance: "i", afterSeq: 0, limit: 1000)))
        let head = try #require(try await reopened.instance(named: "i")?.head)
        #expect(head == (await instance.lineageHead))
        let stored = try #require(try await reopened.checkpoint(id: head))
        #expect(stored.sharedState == ["draft": "text"])
        #expect(stored.runID == second.runID && stored.pendingRequests.isEmpty)
    }

    @Test("an accepted response is in the inbox until delivered, and survives a restart in between", arguments: StoreBackend.allCases)
    func inbox(_ backend: StoreBackend) async throws {
        let place = try await StorePlace(backend)
        let store = try await place.open()
        let gate = Gate()
        var builder = WorkflowBuilder(name: "slow", start: "start")
        builder.addExecutor("start", kind: "start") { FunctionExecutor { _, c in c.send("go") } }
        builder.addExecutor("ask", kind: "ask") { FunctionExecutor { _, c in c.requestInfo("ok?") } }
        builder.addExecutor("work", kind: "work") { FunctionExecutor(runsInline: false) { _, _ in try await gate.wait() } }
        builder.addFanOut(from: "start", to: ["ask", "work"])
        let instance = try await makeInstance(try builder.build(), store: store)
        let events = try await instance.subscribe()
        let handle = try await instance.start(nil)
        var requestID = ""
        for try await event in events {
            if case .request(let request) = event.body {
                requestID = request.id
                break
            }
        }
        _ = try await instance.respond(to: requestID, with: true)
        // The run is still in superstep 2: the response waits in the inbox, durably.
        let whileRunning = try #require(try await place.open().recover().first?.recovery)
        #expect(whileRunning.undeliveredResponses.map(\.requestID) == [requestID])
        #expect(whileRunning.interruptedRuns == [handle.runID])
        #expect(whileRunning.head?.messages.contains { $0.request?.id == requestID } == true)
        gate.open()
        _ = try await handle.result()
        let after = try #require(try await store.recover().first?.recovery)
        #expect(after.undeliveredResponses.isEmpty)
        #expect(after.interruptedRuns.isEmpty)
    }

    @Test("queued runs and idempotency keys are durable; a reset clears them with the inbox", arguments: StoreBackend.allCases)
    func queueAndKeys(_ backend: StoreBackend) async throws {
        let place = try await StorePlace(backend)
        let store = try await place.open()
        let gate = Gate()
        var builder = WorkflowBuilder(name: "gated", start: "wait")
        builder.addExecutor("wait", kind: "wait") { FunctionExecutor(runsInline: false) { m, c in try await gate.wait(); c.yieldOutput(m) } }
        let instance = try await makeInstance(try builder.build(), store: store, onBusy: .queue)
        let began = Timestamp.now()
        let first = try await instance.start(1, idempotencyKey: "a")
        let second = try await instance.start(2, idempotencyKey: "b")
        let third = try await instance.start(3)
        let recovered = try #require(try await place.open().recover().first?.recovery)
        #expect(recovered.queuedRuns.map(\.runID) == [second.runID, third.runID])
        #expect(recovered.queuedRuns.map(\.input) == [2, 3])
        #expect(Dictionary(uniqueKeysWithValues: recovered.idempotencyKeys.map { ($0.key, $0.runID) }) == ["a": first.runID, "b": second.runID])
        // Stamped when the runs started (between then and now; under a sanitizer beside the
        // whole suite, minutes may pass).
        let now = Timestamp.now()
        #expect(recovered.idempotencyKeys.allSatisfy { $0.createdAt >= began - 1 && $0.createdAt <= now + 1 })
        #expect(recovered.interruptedRuns == [first.runID])
        gate.open()
        _ = try await third.result()
        #expect(try await store.recover().first?.recovery.queuedRuns.isEmpty == true)
        #expect(try await store.runs(instance: "i").map(\.status) == ["idle", "idle", "idle"])
        try await instance.reset()
        let cleared = try #require(try await store.recover().first)
        #expect(cleared.recovery.idempotencyKeys.isEmpty && cleared.recovery.head == nil && cleared.record.status == "idle")
    }

    @Test("recovery gives back instances, heads, open requests and next seqs; the engine carries on from them", arguments: StoreBackend.allCases)
    func recovery(_ backend: StoreBackend) async throws {
        let place = try await StorePlace(backend)
        let store = try await place.open()
        let instance = try await makeInstance(try approvalWorkflow(), store: store, name: "a")
        _ = try await instance.run("one")
        _ = try await makeInstance(try approvalWorkflow(), store: store, name: "b")
        let recovered = try await place.open().recover()
        #expect(recovered.map(\.record.name) == ["a", "b"])
        let a = recovered[0].recovery
        #expect(a.head?.pendingRequests.count == 1)
        #expect(a.head?.id == (await instance.lineageHead))
        #expect(a.nextSeq == (await instance.nextSeq))
        #expect(a.status == .idleWithPendingRequests && a.interruptedRuns.isEmpty)
        #expect(recovered[1].recovery.head == nil && recovered[1].recovery.nextSeq == 1)
        #expect(try await store.recover(instance: "b")?.record.name == "b")
        #expect(try await store.recover(instance: "nobody") == nil)
        // An instance rebuilt from what was recovered carries on without reusing a seq.
        let again = try WorkflowInstance(recovering: a, workflow: try approvalWorkflow(), configuration: .init(store: store))
        #expect(await again.pendingRequests.map(\.id) == a.head?.pendingRequests.map(\.id))
        #expect(try await again.resumeRecovered(.resume).resumed == nil)
        let outcome = try await again.respond(to: try #require(a.head?.pendingRequests.first).id, with: "yes")
        #expect(try await again.result(of: outcome.runID).outputs == ["yes"])
        let all = try await store.events(instance: "a", afterSeq: 0, limit: 10_000).map(\.seq)
        #expect(all == Array(1...UInt64(all.count)))
    }

    @Test("idempotency keys expire in the store by age and count, and runs are bounded, but for those a key names", arguments: StoreBackend.allCases)
    func keysExpire(_ backend: StoreBackend) async throws {
        let place = try await StorePlace(backend)
        let store = try await place.open(.init(runRetention: 3, idempotencyKeyLimit: 2, idempotencyKeyLifetime: 3600))
        var builder = WorkflowBuilder(name: "one", start: "a")
        builder.addExecutor("a", kind: "a") { FunctionExecutor(runsInline: true) { m, c in c.yieldOutput(m) } }
        let instance = try await makeInstance(try builder.build(), store: store)
        var keyed: [String] = []
        for n in 0..<6 {
            let handle = try await instance.start(.number(Double(n)), idempotencyKey: n < 4 ? "k\(n)" : nil)
            if n < 4 { keyed.append(handle.runID) }
            _ = try await handle.result()
        }
        // An expired key: written an hour and a half ago.
        try await store.commit(StoreBatch(instance: "i", events: [], idempotencyKeys: [IdempotencyKey(key: "old", runID: keyed[0], createdAt: Timestamp.now() - 5400)]))
        try await store.prune(instance: "i")
        let keys = try #require(try await store.recover(instance: "i")).recovery.idempotencyKeys
        #expect(keys.map(\.key).sorted() == ["k2", "k3"])
        let runs = try await store.runs(instance: "i").map(\.id)
        #expect(runs.count <= 3 + 2)
        #expect(runs.contains(keyed[2]) && runs.contains(keyed[3]))
        #expect(!runs.contains(keyed[0]))
    }

    @Test("lineage: the chain to the root, branch tips after a rewind, and the head", arguments: StoreBackend.allCases)
    func lineage(_ backend: StoreBackend) async throws {
        let place = try await StorePlace(backend)
        let store = try await place.open()
        var builder = WorkflowBuilder(name: "steps", start: "a")
        builder.addExecutor("a", kind: "a") { FunctionExecutor { m, c in c.send(m) } }
        builder.addExecutor("b", kind: "b") { FunctionExecutor { m, c in c.yieldOutput(m) } }
        builder.addEdge(from: "a", to: "b")
        let instance = try await makeInstance(try builder.build(), store: store)
        _ = try await instance.run(1)
        let first = try await store.checkpoints(instance: "i")
        #expect(try await store.lineage(of: first[2].id).map(\.id) == [first[2].id, first[1].id, first[0].id])
        let handle = try #require(try await instance.rewind(to: first[1].id))
        _ = try await handle.result()
        let tips = try await store.branchTips(instance: "i").map(\.id)
        let head = try #require(try await store.head(instance: "i"))
        #expect(tips.count == 2 && tips.contains(first[2].id) && tips.contains(head))
        #expect(try await store.lineage(of: head).map(\.id).suffix(2) == [first[1].id, first[0].id])
    }

    @Test("retention keeps the newest N, the head, branch tips and the newest N with open requests", arguments: StoreBackend.allCases)
    func retentionRules(_ backend: StoreBackend) async throws {
        let place = try await StorePlace(backend)
        let store = try await place.open(.init(checkpointRetention: 3))
        let instance = try await makeInstance(try approvalWorkflow(), store: store)
        let asked = try await instance.run("keep me")  // its last checkpoint has an open request
        let withRequest = try #require(try await store.checkpoints(instance: "i").last)
        #expect(withRequest.openRequests == 1)
        var outcome = try await instance.respond(to: asked.pendingRequests[0].id, with: true)
        _ = try await instance.result(of: outcome.runID)
        let oldTip = try #require(try await store.head(instance: "i"))
        let branch = try #require(try await store.checkpoints(instance: "i").dropLast().last).id
        if let continued = try await instance.rewind(to: branch) { _ = try await continued.result() }  // the old tip stays a branch tip
        for n in 0..<5 {
            let result = try await instance.run(.number(Double(n)))
            outcome = try await instance.respond(to: result.pendingRequests[0].id, with: true)
            _ = try await instance.result(of: outcome.runID)
        }
        let kept = try await store.checkpoints(instance: "i")
        let ids = Set(kept.map(\.id))
        // Five newer checkpoints recorded an open request since: the first one is no longer
        // among the newest three of those, and goes.
        #expect(!ids.contains(withRequest.id))
        #expect(kept.filter { $0.openRequests > 0 }.count == 3)
        #expect(ids.contains(try #require(try await store.head(instance: "i"))))
        for tip in try await store.branchTips(instance: "i") { #expect(ids.contains(tip.id)) }
        #expect(ids.contains(oldTip))
        // Apart from protected ones, at most the newest 3 remain.
        let protected = Set(try await store.branchTips(instance: "i").map(\.id)).union(kept.filter { $0.openRequests > 0 }.map(\.id))
        #expect(kept.filter { !protected.contains($0.id) }.count <= 3)
    }

    @Test("an instance whose questions stay open through many runs keeps a bounded number of checkpoints (every later checkpoint has the open request)", arguments: StoreBackend.allCases)
    func openRequestsDoNotPinEveryCheckpoint(_ backend: StoreBackend) async throws {
        let place = try await StorePlace(backend)
        let store = try await place.open(.init(checkpointRetention: 3))
        let instance = try await makeInstance(try approvalWorkflow(), store: store)
        for n in 0..<30 {
            let result = try await instance.run(.number(Double(n)))
            #expect(result.status == .idleWithPendingRequests)
        }
        #expect(await instance.pendingRequests.count == 30)
        let kept = try await store.checkpoints(instance: "i")
        // Four checkpoints per run, all with open requests: 120 without a bound on them.
        #expect(kept.count <= 3 + 3 + 1, "kept \(kept.count)")
        // The head still holds every open request, and answering the oldest works.
        let oldest = try #require(await instance.pendingRequests.min { $0.time < $1.time })
        let outcome = try await instance.respond(to: oldest.id, with: true)
        #expect(try await instance.result(of: outcome.runID).status == .idleWithPendingRequests)
        #expect(await instance.pendingRequests.count == 29)
    }

    @Test("bad input gets clear errors: unknown instance, duplicate name, a checkpoint that is not there", arguments: StoreBackend.allCases)
    func errors(_ backend: StoreBackend) async throws {
        let place = try await StorePlace(backend)
        let store = try await place.open()
        await #expect {
            try await store.commit(StoreBatch(instance: "ghost", events: []))
        } throws: { error in (error as? WorkflowError)?.message == "the store has no instance 'ghost'" }
        let record = InstanceRecord(name: "x", definition: "d", definitionHash: "h", createdAt: 0)
        try await store.createInstance(record)
        await #expect {
            try await store.createInstance(record)
        } throws: { error in (error as? WorkflowError)?.code == .instanceExists }
        #expect(try await store.checkpoint(id: "nope") == nil)
        #expect(try await store.deleteInstance(named: "x"))
        #expect(try await store.instance(named: "x") == nil)
    }

    @Test("a commit awaited by a cancelled task still commits (alone and in a group commit): cancelling a run or losing a client never fails a write", arguments: StoreBackend.allCases)
    func cancelledWaiterStillCommits(_ backend: StoreBackend) async throws {
        let place = try await StorePlace(backend)
        let store = try await place.open()
        let workflow = try approvalWorkflow()
        _ = try await makeInstance(workflow, store: store, name: "a")
        _ = try await makeInstance(workflow, store: store, name: "b")
        let group = GroupCommitStore(store)
        let key = IdempotencyKey(key: "k", runID: "r1", createdAt: Timestamp.now())
        let alone = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await store.commit([StoreBatch(instance: "a", events: [], idempotencyKeys: [key])])
        }
        try await alone.value
        let grouped = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await group.commit([StoreBatch(instance: "b", events: [], idempotencyKeys: [key])])
        }
        try await grouped.value
        #expect(try #require(try await store.recover(instance: "a")).recovery.idempotencyKeys.map(\.key) == ["k"])
        #expect(try #require(try await store.recover(instance: "b")).recovery.idempotencyKeys.map(\.key) == ["k"])
    }
}

extension StoreConformanceTests {
    @Test("schedules: saved and replaced (keeping their creation), paged by name, owner and source, due soonest first; a fire recorded on a paused one keeps it without a next fire",
          arguments: StoreBackend.allCases)
    func schedules(_ backend: StoreBackend) async throws {
        let place = try await StorePlace(backend)
        let store = try await place.open()
        func schedule(_ name: String, owner: UInt32 = 1, source: String = "api", paused: Bool = false, next: Double?) -> StoredSchedule {
            StoredSchedule(name: name, ownerUID: owner, source: source, spec: ["every": "1s"], paused: paused, nextFire: next, lastFire: nil,
                           createdAt: 100)
        }
        try await store.saveSchedule(schedule("b", next: 20))
        try await store.saveSchedule(schedule("a", owner: 2, source: "/etc/a.yaml", next: 10))
        try await store.saveSchedule(schedule("c", paused: true, next: nil))
        var replaced = schedule("b", next: 30)
        replaced.createdAt = 999
        try await store.saveSchedule(replaced)
        #expect(try await store.schedule(named: "b")?.nextFire == 30)
        #expect(try await store.schedule(named: "b")?.createdAt == 100)
        #expect(try await store.schedules(after: nil, limit: 10, owner: nil, source: nil).map(\.name) == ["a", "b", "c"])
        #expect(try await store.schedules(after: "a", limit: 1, owner: nil, source: nil).map(\.name) == ["b"])
        #expect(try await store.schedules(after: nil, limit: 10, owner: 2, source: nil).map(\.name) == ["a"])
        #expect(try await store.schedules(after: nil, limit: 10, owner: nil, source: "file").map(\.name) == ["a"])
        #expect(try await store.schedules(after: nil, limit: 10, owner: nil, source: "api").map(\.name) == ["b", "c"])
        #expect(try await store.schedulesDue(through: 25, limit: 10).map(\.name) == ["a"])
        // A fire recorded while the schedule was paused keeps it without a next fire; its last fire is kept.
        try await store.recordScheduleFire(name: "c", nextFire: 40, lastFire: ["time": 5])
        let paused = try #require(try await store.schedule(named: "c"))
        #expect(paused.nextFire == nil && paused.lastFire == ["time": 5] && paused.paused)
        try await store.recordScheduleFire(name: "a", nextFire: nil, lastFire: nil)
        #expect(try await store.schedule(named: "a")?.nextFire == nil)
        try await store.recordScheduleFire(name: "b", nextFire: 50.5, lastFire: nil)
        #expect(try await store.schedulesDue(through: 100, limit: 10).map(\.name) == ["b"])
        #expect(try await store.deleteSchedule(named: "b"))
        #expect(try await !store.deleteSchedule(named: "b"))
    }
}

extension StoreConformanceTests {
    @Test("a group commit in which one instance's batch is refused by the database (a seq used twice) stores the others and nothing of that one",
          arguments: StoreBackend.allCases)
    func groupFailsAlone(_ backend: StoreBackend) async throws {
        let place = try await StorePlace(backend)
        let store = try await place.open()
        for name in ["a", "b", "c"] { try await store.createInstance(InstanceRecord(name: name, definition: "d", definitionHash: "h", createdAt: 1)) }
        func batch(_ instance: String, seqs: [UInt64], key: String) -> StoreBatch {
            StoreBatch(instance: instance, events: seqs.map { WorkflowEvent(seq: $0, time: Double($0), instance: instance, runID: nil, body: .custom(executor: "x", name: "e", data: .null)) },
                       idempotencyKeys: [IdempotencyKey(key: key, runID: "r-\(key)", createdAt: 1)])
        }
        let outcomes = try await store.commit(groups: [[batch("a", seqs: [1, 2], key: "ka")],
                                                       [batch("b", seqs: [1, 1], key: "kb")],  // the same seq twice: the database refuses it
                                                       [batch("c", seqs: [1], key: "kc")]])
        #expect(outcomes.count == 3 && outcomes[0] == nil && outcomes[2] == nil)
        #expect(outcomes[1] != nil)
        #expect(try await store.events(instance: "a", afterSeq: 0, limit: 10).map(\.seq) == [1, 2])
        #expect(try await store.events(instance: "b", afterSeq: 0, limit: 10).isEmpty)
        #expect(try #require(try await store.recover(instance: "b")).recovery.idempotencyKeys.isEmpty)
        #expect(try #require(try await store.recover(instance: "c")).recovery.idempotencyKeys.map(\.key) == ["kc"])
        // The store goes on: the next commit of the refused instance is taken.
        try await store.commit([batch("b", seqs: [1], key: "kb")])
        #expect(try await store.events(instance: "b", afterSeq: 0, limit: 10).map(\.seq) == [1])
    }
}

@Suite("SQLite store")
struct SQLiteStoreTests {
    @Test("the database stays bounded through thousands of supersteps")
    func boundedGrowth() async throws {
        let db = try TemporaryDatabase()
        let store = try SQLiteStore(path: db.path, configuration: .init(checkpointRetention: 10, eventRetention: 500))
        var builder = WorkflowBuilder(name: "loop", start: "loop")
        builder.maxSupersteps = 100
        builder.addExecutor("loop", kind: "loop") { FunctionExecutor { m, c in
            let n = (m.doubleValue ?? 0) + 1
            c.setState("payload", .string(String(repeating: "x", count: 200)))
            if n < 50 { c.send(.number(n)) }
        } }
        builder.addEdge(from: "loop", to: "loop")
        let instance = try await makeInstance(try builder.build(), store: store)
        for _ in 0..<20 { _ = try await instance.run(0) }  // 1,000 supersteps
        let early = try await store.pageCount()
        for _ in 0..<60 { _ = try await instance.run(0) }  // 3,000 more
        let late = try await store.pageCount()
        #expect(try await store.checkpoints(instance: "i").count <= 11)
        // Exactly the newest 500 events are kept, contiguous up to the last one.
        let kept = try await store.events(instance: "i", afterSeq: 0, limit: 100_000).map(\.seq)
        #expect(kept.count == 500)
        #expect(kept == Array((kept.last ?? 0) - 499...(kept.last ?? 0)))
        #expect(late <= early + early / 5, "pages grew from \(early) to \(late)")
        #expect(try await store.integrityProblems().isEmpty)
    }

    @Test("measuring the database while background WAL checkpoints run never fails with 'database is locked'")
    func pageCountBesideBackgroundCheckpoints() async throws {
        let db = try TemporaryDatabase()
        let store = try SQLiteStore(path: db.path)
        try await store.database.write { db in try db.execute(sql: "CREATE TABLE filler (x BLOB)") }
        // Every 64th commit starts a passive checkpoint on the checkpointer's connection; a
        // truncating one beside it used to fail at once (SQLITE_BUSY: the checkpoint lock
        // takes no busy handler).
        let writing = Locked(true)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { writing.withLock { $0 = false } }
                for _ in 0..<1_280 {
                    try await store.database.write { db in
                        try db.execute(sql: "INSERT INTO filler VALUES (zeroblob(65536))")
                    }
                }
            }
            group.addTask {
                while writing.withLock({ $0 }) { _ = try await store.pageCount() }
            }
            try await group.waitForAll()
        }
        #expect(try await store.pageCount() > 1_280 * 16)
    }

    @Test("durability settings set the writer's synchronous mode (the connection that commits); the journal is WAL")
    func durability() throws {
        let db = try TemporaryDatabase()
        for (durability, expected) in [(StoreConfiguration.Durability.normal, 1), (.full, 2)] {
            let store = try SQLiteStore(path: db.path, configuration: .init(durability: durability))
            #expect(try store.database.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA synchronous") } == expected)
            #expect(try store.database.writeWithoutTransaction { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "wal")
        }
    }

    @Test("the schema migrates once and records its version; reopening changes nothing")
    func migrations() throws {
        let db = try TemporaryDatabase()
        let store = try SQLiteStore(path: db.path)
        let applied = try store.database.read { try SQLiteStore.migrator.appliedMigrations($0) }
        #expect(applied == ["v1: instances, checkpoints, events, runs, inbox, keys, queue", "v2: idempotency keys expire",
                           "v3: definition versions, checkpoint labels", "v4: checkpoints keep large values apart, once",
                           "v5: runs count their supersteps", "v6: instances know their soonest wait",
                           "v7: schedules, runs keep their idempotency key, instances pause",
                           "v8: events and checkpoints in rowid tables"])
        _ = try SQLiteStore(path: db.path)
        #expect(try store.database.read { try SQLiteStore.migrator.appliedMigrations($0) } == applied)
    }

    @Test("a database written before checkpoints kept values apart (v3: whole snapshots) migrates, and its checkpoints read back whole")
    func wholeSnapshotsStillRead() async throws {
        let db = try TemporaryDatabase()
        let old = try DatabaseQueue(path: db.path)
        try SQLiteStore.migrator.migrate(old, upTo: "v3: definition versions, checkpoint labels")
        let checkpoint = Checkpoint(id: "c-old", parentID: nil, instance: "i", workflowName: "w", definitionHash: "h", runID: "r", reason: .superstep,
                                    superstep: 3, time: 1_700_000_000, status: .inProgress,
                                    sharedState: ["doc": .string(String(repeating: "x", count: 5_000)), "n": 1],
                                    executorStates: ["e": .array([1, 2])], edgeStates: [:],
                                    messages: [.init(source: "a", target: "b", payload: 7, request: nil)], pendingRequests: [])
        try await old.write { db in
            try db.execute(sql: "INSERT INTO instance (name, definition, definitionHash, createdAt, head) VALUES ('i', 'w', 'h', 0, 'c-old')")
            try db.execute(sql: """
                INSERT INTO checkpoint (instance, ordinal, id, reason, superstep, time, status, openRequests, messagesInFlight, snapshot)
                VALUES ('i', 1, 'c-old', 'superstep', 3, 1700000000, 'in_progress', 0, 1, ?)
                """, arguments: [checkpoint.json.serialized()])
        }
        try old.close()
        let store = try SQLiteStore(path: db.path)
        #expect(try await store.checkpoint(id: "c-old") == checkpoint)
        #expect(try await store.recover(instance: "i")?.recovery.head == checkpoint)
    }

    @Test("a commit that waits for another's round and is cancelled meanwhile is still written, reported as written, and the rounds go on",
          .timeLimit(.minutes(3)))
    func cancelledGroupWaiter() async throws {
        let db = try TemporaryDatabase()
        let store = try SQLiteStore(path: db.path)
        let workflow = try approvalWorkflow()
        for name in ["a", "b", "c"] { _ = try await makeInstance(workflow, store: store, name: name) }
        let group = GroupCommitStore(store)
        func key(_ name: String) -> IdempotencyKey { IdempotencyKey(key: name, runID: "r-\(name)", createdAt: Timestamp.now()) }
        // Another connection holds the write lock: the first round waits for it.
        var unsafe = Configuration()
        unsafe.allowsUnsafeTransactions = true
        let blocker = try DatabaseQueue(path: db.path, configuration: unsafe)
        try await blocker.writeWithoutTransaction { try $0.execute(sql: "BEGIN IMMEDIATE") }
        let leader = Task { try await group.commit([StoreBatch(instance: "a", events: [], idempotencyKeys: [key("a")])]) }
        while !group.isWriting { await Task.yield() }
        // A second commit queues behind that round, and its task is cancelled while it waits.
        let waiter = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await group.commit([StoreBatch(instance: "b", events: [], idempotencyKeys: [key("b")])])
        }
        try await blocker.writeWithoutTransaction { try $0.execute(sql: "ROLLBACK") }
        try await leader.value
        await #expect(throws: Never.self) { try await waiter.value }
        #expect(try #require(try await store.recover(instance: "b")).recovery.idempotencyKeys.map(\.key) == ["b"])
        // And the rounds did not stop at it.
        try await group.commit([StoreBatch(instance: "c", events: [], idempotencyKeys: [key("c")])])
        #expect(try #require(try await store.recover(instance: "c")).recovery.idempotencyKeys.map(\.key) == ["c"])
    }
}

/// A checkpoint of nothing but a superstep number, a time and some shared state, for store tests
/// that need rows, not a workflow.
func plainCheckpoint(instance: String, runID: String = "r", superstep: Int, parent: String?, time: Double, state: JSONObject = [:]) -> Checkpoint {
    Checkpoint(id: Identifier.make("c"), parentID: parent, instance: instance, workflowName: "w", definitionHash: "h", runID: runID,
               reason: .superstep, superstep: superstep, time: time, status: .idle, sharedState: state,
               executorStates: [:], edgeStates: [:], messages: [], pendingRequests: [])
}

@Suite("Write-ahead log")
struct WriteAheadLogTests {
    @Test("commits that never pause keep the write-ahead log bounded: it is started over, not grown without end")
    func logStaysBoundedUnderSustainedCommits() async throws {
        let db = try TemporaryDatabase()
        defer { withExtendedLifetime(db) {} }
        let store = try SQLiteStore(path: db.path)
        try await store.createInstance(InstanceRecord(name: "w", definition: "d", definitionHash: "h", createdAt: 1))
        let pageSize = 4096
        var seq: UInt64 = 0
        var parent: String?
        // About four pages a commit: 4,000 commits put ~16,000 frames through the log, well past
        // the restart bound (4,096 frames); grown without end the log would be ~60 MB.
        for n in 0..<4_000 {
            var events: [WorkflowEvent] = []
            for _ in 0..<5 {
                seq += 1
                events.append(WorkflowEvent(seq: seq, time: Double(seq), instance: "w", runID: "r",
                                            body: .custom(executor: "e", name: "tick", data: ["n": .number(Double(n)), "pad": .string(String(repeating: "x", count: 300))])))
            }
            let checkpoint = plainCheckpoint(instance: "w", superstep: n, parent: parent, time: Double(n), state: ["n": .number(Double(n))])
            parent = checkpoint.id
            try await store.commit(StoreBatch(instance: "w", events: events, checkpoint: checkpoint, status: .inProgress))
        }
        let log = try FileManager.default.attributesOfItem(atPath: db.path + "-wal")[.size] as? Int ?? 0
        // The bound plus what may come in while a checkpoint runs. (How many restarts it took
        // depends on speed: on a machine slow enough, as under ThreadSanitizer, the background
        // checkpoints find pauses between commits and the log starts over by itself.)
        // Twice the restart bound of 4,096 frames (grown without end: ~170 MB).
        #expect(log <= 2 * 4_096 * (pageSize + 24),
                "the log is \(log) bytes after \(store.checkpointer.restarts) restarts on the commit thread")
    }
}

@Suite("Store upgrade")
struct StoreUpgradeTests {
    @Test("a v7 database's events and checkpoints (WITHOUT ROWID tables) are all there after v8 moves them, labels included, and commits go on after them")
    func v7DatabaseUpgrades() async throws {
        let db = try TemporaryDatabase()
        defer { withExtendedLifetime(db) {} }
        let events = (1...40).map { seq in
            WorkflowEvent(seq: UInt64(seq), time: Double(seq), instance: "old", runID: "r\(seq / 10)",
                          body: .custom(executor: "e", name: "n", data: ["seq": .number(Double(seq))]))
        }
        var made: [Checkpoint] = []
        for n in 0..<5 {
            made.append(plainCheckpoint(instance: "old", superstep: n, parent: made.last?.id, time: Double(n), state: ["n": .number(Double(n))]))
        }
        let checkpoints = made
        do {
            let queue = try DatabaseQueue(path: db.path)
            try SQLiteStore.migrator.migrate(queue, upTo: "v7: schedules, runs keep their idempotency key, instances pause")
            try await queue.write { sql in
                try sql.execute(sql: "INSERT INTO instance (name, definition, definitionHash, createdAt, head) VALUES ('old', 'w', 'h', 0, ?)",
                                arguments: [checkpoints.last!.id])
                for event in events {
                    try sql.execute(sql: "INSERT INTO event (instance, seq, time, runId, type, body) VALUES (?, ?, ?, ?, ?, ?)",
                                    arguments: ["old", Int64(event.seq), event.time, event.runID, event.kind.rawValue, event.json.serialized()])
                }
                for (ordinal, checkpoint) in checkpoints.enumerated() {
                    try sql.execute(sql: """
                        INSERT INTO checkpoint (instance, ordinal, id, parentId, hasChild, runId, reason, superstep, time, status, openRequests,
                                                messagesInFlight, snapshot, label)
                        VALUES ('old', ?, ?, ?, ?, 'r', 'superstep', ?, ?, 'idle', 0, 0, ?, ?)
                        """, arguments: [ordinal + 1, checkpoint.id, checkpoint.parentID, ordinal < 4, ordinal, checkpoint.time,
                                         checkpoint.json.serialized(), ordinal == 2 ? "kept" : nil])
                }
            }
        }
        let store = try SQLiteStore(path: db.path)
        #expect(try await store.events(instance: "old", afterSeq: 0, limit: 100) == events)
        #expect(try await store.events(instance: "old", afterSeq: 30, limit: 5).map(\.seq) == [31, 32, 33, 34, 35])
        #expect(try await store.checkpoints(instance: "old").map(\.id) == checkpoints.map(\.id))
        #expect(try await store.checkpoint(id: checkpoints[3].id) == checkpoints[3])
        #expect(try await store.resolveCheckpoint("kept", instance: "old") == checkpoints[2].id)
        // The key index holds: a seq cannot be there twice.
        await #expect(throws: (any Error).self) {
            try await store.commit(StoreBatch(instance: "old", events: [events[0]]))
        }
        // And the next commit appends after the moved rows.
        let next = WorkflowEvent(seq: 41, time: 41, instance: "old", runID: "r4", body: .custom(executor: "e", name: "n", data: [:]))
        let checkpoint = plainCheckpoint(instance: "old", runID: "r4", superstep: 5, parent: checkpoints.last!.id, time: 41)
        try await store.commit(StoreBatch(instance: "old", events: [next], checkpoint: checkpoint, status: .idle))
        #expect(try await store.events(instance: "old", afterSeq: 39, limit: 5).map(\.seq) == [40, 41])
        #expect(try await store.checkpoints(instance: "old").map(\.id) == checkpoints.map(\.id) + [checkpoint.id])
    }
}

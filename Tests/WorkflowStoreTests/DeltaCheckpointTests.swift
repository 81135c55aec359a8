import WorkflowConcurrency
import Foundation
import GRDB
import WorkflowJSON
import Testing
import WorkflowTestSupport
import WorkflowEngine
@testable import WorkflowStore

/// A loop of `steps` supersteps. Superstep n writes, removes or leaves shared-state keys as a
/// seeded sequence says (values small, large or very large), and tells the notebook. The key
/// `doc` (50 KiB) is written by the first run only.
func churnWorkflow(steps: Int, seed: UInt64) throws -> Workflow {
    var builder = WorkflowBuilder(name: "churn", start: "writer")
    builder.maxSupersteps = steps * 2 + 4
    builder.addExecutor("writer", kind: "writer") {
        FunctionExecutor(runsInline: true) { message, context in
            let step = Int(message.doubleValue ?? 0)
            if context.state("doc") == nil { context.setState("doc", .string(String(repeating: "d", count: 50_000))) }
            var random = SeededGenerator(seed: seed &+ UInt64(step) &* 7919 &+ UInt64(context.superstep))
            for key in ["a", "b", "c"] {
                switch Int.random(in: 0..<6, using: &random) {
                case 0: context.setState(key, .number(Double(step)))
                case 1: context.setState(key, .string(String(repeating: key, count: Int.random(in: 600...4_000, using: &random))))
                case 2: context.setState(key, .array((0..<Int.random(in: 1...80, using: &random)).map { .string("item \($0) of \(step)") }))
                case 3: context.removeState(key)
                default: break
                }
            }
            context.send(.number(Double(step)))
        }
    }
    builder.addExecutor("notebook", kind: "notebook") { Notebook() }
    builder.addExecutor("next", kind: "next") {
        FunctionExecutor(runsInline: true) { message, context in
            let step = (message.doubleValue ?? 0) + 1
            if step < Double(steps) { context.send(.number(step)) } else { context.yieldOutput(.number(step)) }
        }
    }
    builder.addEdge(from: "writer", to: "notebook")
    builder.addEdge(from: "writer", to: "next")
    builder.addEdge(from: "next", to: "writer")
    return try builder.build()
}

@Suite("Checkpoints as their parent plus what changed")
struct DeltaCheckpointTests {
    /// Every checkpoint the store still has reads back exactly as it was committed.
    func expectReadBack(_ recording: RecordingStore, instance: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let kept = try await recording.checkpoints(instance: instance)
        #expect(!kept.isEmpty, sourceLocation: sourceLocation)
        let written = recording.written.withLock { $0 }
        for summary in kept {
            guard let original = written[summary.id] else { continue }
            let loaded = try await recording.checkpoint(id: summary.id)
            #expect(loaded == original, "checkpoint \(summary.id) (superstep \(summary.superstep)) reads back differently", sourceLocation: sourceLocation)
        }
    }

    func partRows(_ store: any SQLStore, key: String? = nil) async throws -> Int {
        try await store.read { db in
            if let key { return Int(try db.integer("SELECT COUNT(*) FROM checkpointPart WHERE name = ?", [.text(key)]) ?? 0) }
            return Int(try db.integer("SELECT COUNT(*) FROM checkpointPart") ?? 0)
        }
    }

    /// Part rows no checkpoint's manifest names (there must be none after retention).
    func orphanParts(_ store: any SQLStore) async throws -> Int {
        try await store.read { db in
            Int(try db.integer("""
                SELECT COUNT(*) FROM checkpointPart p WHERE NOT EXISTS
                (SELECT 1 FROM checkpoint c WHERE c.instance = p.instance AND c.parts IS NOT NULL AND \(db.dialect.contains("c.parts", "'\"' || p.origin || '\"'")))
                """) ?? 0)
        }
    }

    @Test("seeded churn of shared and executor state: every checkpoint reads back as committed; an unchanged large value is stored once",
          arguments: StoreBackend.allCases, [1, 2, 3] as [UInt64])
    func readBack(_ backend: StoreBackend, seed: UInt64) async throws {
        let place = try await StorePlace(backend)
        let store = try await place.open(.init(checkpointRetention: 1_000))
        let recording = RecordingStore(store)
        let workflow = try churnWorkflow(steps: 30, seed: seed)
        try await store.createInstance(InstanceRecord(name: "i", definition: workflow.name, definitionHash: workflow.graphHash, createdAt: Timestamp.now()))
        let instance = WorkflowInstance(name: "i", workflow: workflow, configuration: .init(store: recording))
        for run in 0..<3 {
            let result = try await instance.run(.number(Double(run)))
            #expect(result.status == .idle)
        }
        let checkpoints = try await store.checkpoints(instance: "i")
        #expect(checkpoints.count > 150)
        try await expectReadBack(recording, instance: "i")
        // 50 KB written once, in about 190 checkpoints: one row.
        #expect(try await partRows(store, key: "doc") == 1)
        // The notebook's notes grow every third superstep: they are written then, not in between.
        let notebookRows = try await partRows(store, key: "notebook")
        #expect(notebookRows > 0 && notebookRows < checkpoints.count / 2)
        // The head read back is what the instance holds.
        let headID = try #require(await instance.lineageHead)
        let head = try #require(try await store.checkpoint(id: headID))
        #expect(head.sharedState == (await instance.sharedState))
    }

    @Test("retention and deletion never drop a value a kept checkpoint needs, and leave none that no checkpoint needs", arguments: StoreBackend.allCases)
    func retention(_ backend: StoreBackend) async throws {
        let place = try await StorePlace(backend)
        let store = try await place.open(.init(checkpointRetention: 7))
        let recording = RecordingStore(store)
        let workflow = try churnWorkflow(steps: 25, seed: 9)
        try await store.createInstance(InstanceRecord(name: "i", definition: workflow.name, definitionHash: workflow.graphHash, createdAt: Timestamp.now()))
        let instance = WorkflowInstance(name: "i", workflow: workflow, configuration: .init(store: recording))
        for run in 0..<4 { _ = try await instance.run(.number(Double(run))) }
        // Retention ran after each run: the oldest checkpoints (the one that wrote `doc` among
        // them) are gone, and `doc` is still there for the kept ones.
        let kept = try await store.checkpoints(instance: "i")
        #expect(kept.count <= 8)
        try await expectReadBack(recording, instance: "i")
        #expect(try await partRows(store, key: "doc") == 1)
        #expect(try await orphanParts(store) == 0)
        // Deleting checkpoints one by one, oldest first, keeps the rest whole.
        for summary in kept.dropLast() {
            #expect(try await store.deleteCheckpoint(id: summary.id))
            try await expectReadBack(recording, instance: "i")
            #expect(try await orphanParts(store) == 0)
        }
        #expect(try await partRows(store, key: "doc") == 1)
        // The next run builds on the remaining head; then deleting the instance leaves no part.
        _ = try await instance.run(9)
        try await expectReadBack(recording, instance: "i")
        #expect(try await store.deleteInstance(named: "i"))
        #expect(try await partRows(store) == 0)
    }

    @Test("after a rewind, a restart and a fork, checkpoints are written whole once and read back as committed", arguments: StoreBackend.allCases)
    func restoreWritesWhole(_ backend: StoreBackend) async throws {
        let place = try await StorePlace(backend)
        let store = try await place.open(.init(checkpointRetention: 1_000))
        let recording = RecordingStore(store)
        let workflow = try churnWorkflow(steps: 12, seed: 4)
        try await store.createInstance(InstanceRecord(name: "i", definition: workflow.name, definitionHash: workflow.graphHash, createdAt: Timestamp.now()))
        let instance = WorkflowInstance(name: "i", workflow: workflow, configuration: .init(store: recording))
        _ = try await instance.run(0)
        _ = try await instance.run(1)
        let early = try await store.checkpoints(instance: "i")[5]
        // The rewound run goes on from there (work is in flight at that checkpoint).
        if let resumed = try await instance.rewind(to: early.id) { _ = try await resumed.result() }
        _ = try await instance.run(2)
        try await expectReadBack(recording, instance: "i")
        // `doc` again: the first checkpoint after the rewind does not rely on what it restored.
        #expect(try await partRows(store, key: "doc") == 2)

        // A new process: the instance comes back from the store, runs on, reads back.
        let reopened = try await place.open(.init(checkpointRetention: 1_000))
        let recording2 = RecordingStore(reopened)
        let recovered = try #require(try await reopened.recover(instance: "i"))
        let again = try WorkflowInstance(recovering: recovered.recovery, workflow: workflow, configuration: .init(store: recording2))
        _ = try await again.resumeRecovered(.resume)
        _ = try await again.run(3)
        try await expectReadBack(recording2, instance: "i")
        #expect(try await partRows(reopened, key: "doc") == 3)

        // A fork keeps its own copy: deleting the original leaves the fork whole.
        let head = try #require(await again.lineageHead)
        try await reopened.createInstance(InstanceRecord(name: "f", definition: workflow.name, definitionHash: workflow.graphHash, createdAt: Timestamp.now()))
        let forked = try await again.fork(from: head, as: "f")
        let fork = forked.instance
        if let resumed = forked.run { _ = try await resumed.result() }
        _ = try await fork.run(4)
        #expect(try await reopened.deleteInstance(named: "i"))
        try await expectReadBack(recording2, instance: "f")
    }
}

import Foundation
import Testing
import WorkflowEngine
@testable import WorkflowStore
import WorkflowTestSupport

/// `workflowd migrate`'s copy: SQLite into PostgreSQL and back gives back the same state.
@Suite("Store copy (SQLite ⇄ PostgreSQL)")
struct StoreCopyTests {
    /// What a store holds, as the daemon reads it (recovery, runs, checkpoints, events, labels, schedules).
    static func snapshot(_ store: any SQLStore) async throws -> String {
        var lines: [String] = []
        for record in try await store.instances() {
            let recovered = try #require(try await store.recover(instance: record.name))
            lines.append("instance \(record.name) \(record.status) head=\(record.head ?? "-") paused=\(record.paused?.serialized() ?? "-")")
            lines.append("  next seq \(recovered.recovery.nextSeq), inbox \(recovered.recovery.undeliveredResponses.map(\.requestID)), queue \(recovered.recovery.queuedRuns.map(\.runID)), keys \(recovered.recovery.idempotencyKeys.map(\.key))")
            if let head = recovered.recovery.head { lines.append("  head state \(head.json.serialized())") }
            lines += try await store.checkpoints(instance: record.name).map { "  checkpoint \($0.id) \($0.parentID ?? "-") \($0.reason) \($0.superstep)" }
            lines += try await store.events(instance: record.name, afterSeq: 0, limit: 10_000).map { "  event \($0.json.serialized())" }
            lines += try await store.runs(instance: record.name).map { "  run \($0.id) \($0.status) \($0.outputs.serialized()) \($0.supersteps ?? -1)" }
            lines.append("  labels \(try await store.checkpointLabels(instance: record.name).sorted { $0.key < $1.key })")
        }
        lines += try await store.schedules(after: nil, limit: 100, owner: nil, source: nil).map { "schedule \($0.name) \($0.nextFire ?? -1) \($0.spec.serialized())" }
        lines.append("definition \(try await store.definitionVersion(hash: "h1").map { "\($0.name) \($0.document.serialized())" } ?? "-")")
        return lines.joined(separator: "\n")
    }

    @Test("everything is copied into an empty PostgreSQL database and back into an empty SQLite file, unchanged; a store that holds something is refused")
    func roundTrip() async throws {
        let sqlite = try await StorePlace(.sqlite)
        let source = try await sqlite.open()
        // Runs with a request answered and one left open, a label, a queued run, a schedule, a definition version.
        let first = try await makeInstance(try approvalWorkflow(), store: source, name: "a")
        let asked = try await first.run("text")
        _ = try await first.result(of: try await first.respond(to: asked.pendingRequests[0].id, with: "yes").runID)
        _ = try await first.run("again")
        let head = try #require(await first.lineageHead)
        #expect(try await source.label(checkpoint: head, instance: "a", as: "kept"))
        let second = try await makeInstance(try approvalWorkflow(), store: source, name: "b")
        _ = try await second.run(.object(["big": .string(String(repeating: "x", count: 2_000))]))
        try await source.saveSchedule(StoredSchedule(name: "tick", ownerUID: 0, source: "api", spec: ["every": "1m"], paused: false,
                                                     nextFire: 100, lastFire: nil, createdAt: 1))
        try await source.saveDefinitionVersion(hash: "h1", name: "d", file: "d.yaml", document: ["name": "d"])
        try await source.setPaused(instance: "b", pause: ["reason": "hold"])
        let before = try await Self.snapshot(source)

        let postgres = try await StorePlace(.postgres)
        let middle = try await postgres.open()
        let copied = try await StoreCopy.copy(from: source, to: middle)
        #expect(copied.first { $0.table == "event" }!.rows > 20)
        #expect(try await Self.snapshot(middle) == before)
        // Into a store that holds something: refused, nothing written.
        await #expect {
            _ = try await StoreCopy.copy(from: source, to: middle)
        } throws: { error in (error as? WorkflowError)?.message.contains("the destination is not empty") == true }

        let backPlace = try await StorePlace(.sqlite)
        let back = try await backPlace.open()
        _ = try await StoreCopy.copy(from: middle, to: back)
        #expect(try await Self.snapshot(back) == before)
        // The copy goes on as the original would: the next run continues the lineage and the log.
        let again = try #require(try await back.recover(instance: "a"))
        let instance = try WorkflowInstance(recovering: again.recovery, workflow: try approvalWorkflow(), configuration: .init(store: back))
        try await instance.resumeRecovered(.resume)
        #expect(try await instance.run("third").status == .idleWithPendingRequests)
        let newHead = try #require(await instance.lineageHead)
        #expect(try await back.lineage(of: newHead).map(\.id).contains(head))
        withExtendedLifetime((sqlite, postgres, backPlace)) {}
    }
}

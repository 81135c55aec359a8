import Foundation
import WorkflowConcurrency
import WorkflowJSON
import Testing
import WorkflowTestSupport
@testable import WorkflowEngine

/// One regression test per defect of the reference framework listed in docs/semantics.md §3.10, each
/// named after the defect. Each would fail if the engine repeated it.
@Suite("Reference framework defects that must not appear (docs/semantics.md §3.10)")
struct ReferenceDefectTests {
    @Test("pending requests surviving a reset")
    func pendingRequestsSurvivingAReset() async throws {
        let instance = makeInstance(try approvalWorkflow())
        let request = try #require(try await instance.run("text").pendingRequests.first)
        try await instance.reset()
        #expect(await instance.pendingRequests.isEmpty)
        #expect(await instance.status == .idle)
        await #expect { try await instance.respond(to: request.id, with: true) } throws: { workflowError($0)?.code == .requestNotFound }
        // A checkpoint's pending set after the reset is empty too.
        _ = try await instance.run("again")
        let last = try #require(try await instance.checkpoints().last)
        #expect(last.openRequests == 1)  // only the new run's request
    }

    @Test("a half-applied reset: a failing factory or store leaves the instance exactly as it was")
    func aHalfAppliedReset() async throws {
        let calls = Locked(0)
        var b = WorkflowBuilder(name: "fragile", start: "a")
        b.addExecutor("a", kind: "counter") {
            let n = calls.withLock { $0 += 1; return $0 }
            if n == 2 { throw WorkflowError(.invalidGraph, "factory broke on call \(n)") }
            return Counter()
        }
        b.add("ask") { Scripted { _, c in c.setState("asked", true); c.requestInfo("?") } }
        b.addEdge(from: "a", to: "ask")
        let store = FailingStore()
        let instance = WorkflowInstance(name: "fragile", workflow: try b.build(), configuration: .init(store: store))
        _ = try await instance.run(1)
        let before = (await instance.sharedState, await instance.pendingRequests, await instance.lineageHead,
                      try await instance.executorSnapshot("a"), await instance.superstep, await instance.status)
        await #expect { try await instance.reset() } throws: { workflowError($0)?.message.contains("factory broke on call 2") == true }
        #expect(await instance.sharedState == before.0)
        #expect(await instance.pendingRequests == before.1)
        #expect(await instance.lineageHead == before.2)
        #expect(try await instance.executorSnapshot("a") == before.3)
        #expect(await instance.superstep == before.4)
        store.failCommits(true)
        await #expect { try await instance.reset() } throws: { error in
            guard let error = workflowError(error) else { return false }
            return error.code == .storeFailed && error.message.contains("disk on fire")
        }
        #expect(await instance.sharedState == before.0)
        #expect(await instance.pendingRequests == before.1)
        #expect(await instance.status == before.5)
        store.failCommits(false)
        try await instance.reset()
        #expect(await instance.pendingRequests.isEmpty)
        #expect(await instance.lineageHead == nil)
        #expect(try await instance.run(1).status == .idleWithPendingRequests)
    }

    @Test("a reset refused while a run is active changes nothing, and the run goes on", .timeLimit(.minutes(3)))
    func aRefusedResetChangesNothing() async throws {
        let gate = Gate()
        var b = WorkflowBuilder(name: "busy-reset", start: "ask")
        b.add("ask") { Scripted { m, c in c.setState("asked", m); c.requestInfo("?"); c.send(m) } }
        b.add("wait") { Scripted(inline: false) { m, c in try await gate.wait(); c.setState("waited", m) } }
        b.addEdge(from: "ask", to: "wait")
        let instance = makeInstance(try b.build())
        let handle = try await instance.start(1)
        await gate.arrived(1)  // the run's superstep 2 is waiting
        let before = (await instance.sharedState, await instance.pendingRequests, await instance.lineageHead, await instance.superstep)
        await #expect { try await instance.reset() } throws: { workflowError($0)?.code == .instanceBusy }
        #expect(await instance.sharedState == before.0)
        #expect(await instance.pendingRequests == before.1)
        #expect(await instance.lineageHead == before.2)
        #expect(await instance.superstep == before.3)
        #expect(await instance.activeRunID == handle.runID)
        gate.open()
        let result = try await handle.result()
        #expect(result.status == .idleWithPendingRequests)
        #expect(await instance.sharedState == ["asked": 1, "waited": 1])
        #expect(await instance.pendingRequests.count == 1)
    }

    @Test("a half-applied restore: a checkpoint that cannot be restored leaves the instance unchanged")
    func aHalfAppliedRestore() async throws {
        var b = WorkflowBuilder(name: "restore", start: "a")
        b.add("a") { Counter() }
        b.add("b") { Scripted { m, c in c.setState("last", m) } }
        b.addEdge(from: "a", to: "b")
        let store = InMemoryCheckpointStore()
        let instance = makeInstance(try b.build(), store: store)
        _ = try await instance.run("one")
        _ = try await instance.run("two")
        let firstID = try #require(try await instance.checkpoints().first).id
        var tampered = try #require(try await store.checkpoint(id: firstID))
        tampered.id = "c-tampered"
        tampered.sharedState = ["last": "from the tampered checkpoint"]
        tampered.executorStates["a"] = ["wrong": "shape"]  // Counter.restore refuses this
        try await store.commit(StoreBatch(instance: "test", events: [], checkpoint: tampered))
        let head = await instance.lineageHead
        await #expect { try await instance.rewind(to: "c-tampered") } throws: { error in
            guard let error = workflowError(error) else { return false }
            return error.code == .invalidCheckpoint && error.message.contains("executor 'a' could not restore its state")
        }
        #expect(await instance.sharedState == ["last": "two"])
        #expect(try await instance.executorSnapshot("a") == ["seen": 2])
        #expect(await instance.lineageHead == head)
        #expect(try await instance.run("three").status == .idle)
    }

    @Test("a dropped client stream leaving the instance marked running", .timeLimit(.minutes(3)))
    func aDroppedClientStreamLeavingTheInstanceRunning() async throws {
        let gate = Gate()
        let instance = makeInstance(try gatedWorkflow(gate))
        var runID = ""
        do {
            let handle = try await instance.start(1)
            runID = handle.runID
            var iterator = handle.events.makeAsyncIterator()
            _ = try await iterator.next()  // read one event, then drop the stream mid-run
        }
        gate.open()
        let result = try await instance.result(of: runID)
        #expect(result.status == .idle)
        #expect(await instance.status == .idle)
        #expect(await instance.activeRunID == nil)
        #expect(try await instance.run(2).outputs == [2])
    }

    @Test("orphan executor tasks writing after a failure", .timeLimit(.minutes(3)))
    func orphanExecutorTasksWritingAfterAFailure() async throws {
        let gate = Gate()
        let tracker = Tracker()
        var b = WorkflowBuilder(name: "orphans", start: "start")
        b.add("start") { Scripted { _, c in c.send("go") } }
        b.add("bomb") { Scripted { _, _ in
            await gate.arrived(1)  // fail only once the sibling is inside its wait
            throw Boom()
        } }
        b.add("slow") { Scripted { _, c in
            do { try await gate.wait() } catch { await tracker.record("slow was cancelled") }
            // It tries to act after the failure: none of this may land anywhere.
            c.setState("late", true)
            c.send("late message")
            c.emit("late event")
            await tracker.record("slow finished")
        } }
        b.add("sink") { output() }
        b.addFanOut(from: "start", to: ["bomb", "slow"])
        b.addEdge(from: "slow", to: "sink")
        let store = InMemoryCheckpointStore()
        let instance = makeInstance(try b.build(), store: store)
        let handle = try await instance.start(nil)
        let events = try await collect(handle.events) { _ in false }
        let result = try await handle.result()
        #expect(result.status == .failed)
        // The whole log: the failure is there once, and nothing the cancelled sibling did after
        // it (its custom event, its completion, an output) is anywhere in it.
        let log = try store.allEvents(instance: "test")
        #expect(log.filter { $0.kind == .executorFailed }.map(\.json["executor"]) == ["bomb"])
        #expect(!log.contains { $0.kind == .custom })
        #expect(!log.contains { if case .executorCompleted(let executor, let superstep) = $0.body { executor == "slow" || superstep == 2 } else { false } })
        #expect(!log.contains { $0.kind == .output })
        #expect(log.map(\.seq) == Array(1...UInt64(log.count)))
        // The sibling was cancelled and awaited before the run ended.
        #expect(await tracker.entries == ["slow was cancelled", "slow finished"])
        #expect(await instance.sharedState["late"] == nil)
        #expect(await instance.messagesInFlight == 2)  // the failed superstep's own input, kept for a rewind
        // Nothing after the run's end, in the stream or in the log.
        let failedAt = try #require(events.firstIndex { $0.kind == .runFailed })
        #expect(events[failedAt...].map(\.kind) == [.runFailed, .status])
        let logged = try await instance.events(afterSeq: 0)
        #expect(logged.last?.statusValue == .failed)
        // ...and nothing emitted since, not even unpublished: no task of the run is left.
        #expect(await instance.nextSeq == logged.last!.seq + 1)
    }

    @Test("a context that escapes its superstep into a task of its own can no longer act", .timeLimit(.minutes(3)))
    func anEscapedContextCannotAct() async throws {
        let gate = Gate()
        let escaped = Locked<Task<Void, Never>?>(nil)
        var b = WorkflowBuilder(name: "escape", start: "a")
        b.add("a") { Scripted(inline: false) { m, c in
            defer { c.yieldOutput(m) }
            guard m == 1 else { return }
            let context = c
            // An executor that keeps its context beyond its superstep (a programming error, but a
            // possible one): what it does later must not land anywhere.
            escaped.withLock { $0 = Task {
                var late = context
                try? await gate.wait()
                late.emit("late event")
                late.requestInfo("orphan?")
                late.yieldOutput("late output")
                late.warn("late warning")
            } }
        } }
        let store = InMemoryCheckpointStore()
        let instance = makeInstance(try b.build(), store: store)
        #expect(try await instance.run(1).outputs == [1])
        try await instance.reset()
        gate.open()
        await escaped.withLock { $0 }?.value
        // The next clean run is clean: no orphan request, no late events in the log.
        let clean = try await instance.run(2)
        #expect(clean.status == .idle)
        #expect(clean.outputs == [2])
        #expect(await instance.pendingRequests.isEmpty)
        let log = try store.allEvents(instance: "test")
        #expect(!log.contains { $0.kind == .custom || $0.kind == .request })
        #expect(!log.contains { $0.warningReason == "late warning" })
        #expect(log.map(\.seq) == Array(1...UInt64(log.count)))
    }

    /// start → [short, long]; long → long2; [short, long2] → join. After superstep 2, short's value
    /// waits in the fan-in buffer while long2's message is in flight.
    func fanInWorkflow(failing: Tracker? = nil) throws -> Workflow {
        var b = WorkflowBuilder(name: "fanin-restore", start: "start")
        b.add("start") { Scripted { m, c in c.send(m) } }
        b.add("short") { Scripted { m, c in c.send(.number(m.doubleValue! + 10)) } }
        b.add("long") { Scripted { m, c in c.send(.number(m.doubleValue! + 20)) } }
        b.add("long2") { Scripted { m, c in
            if let failing, await failing.entries.isEmpty { await failing.record("failed"); throw Boom() }
            c.send(m)
        } }
        b.add("join") { output() }
        b.addFanOut(from: "start", to: ["short", "long"])
        b.addEdge(from: "long", to: "long2")
        b.addFanIn(from: ["short", "long2"], to: "join")
        return try b.build()
    }

    @Test("fan-in buffers lost on restore")
    func fanInBuffersLostOnRestore() async throws {
        let instance = makeInstance(try fanInWorkflow())
        #expect(try await instance.run(1).outputs == [[11, 21]])
        let afterSecond = try #require(try await instance.checkpoints().first { $0.superstep == 2 })
        let stored = try #require(try await instance.configuration.store!.checkpoint(id: afterSecond.id))
        #expect(stored.edgeStates == ["[short,long2]->join": [[11], []]])
        // Only long2's message is in flight; the join can fire only if short's 11 came back too.
        #expect(afterSecond.messagesInFlight == 1)
        let handle = try #require(try await instance.rewind(to: afterSecond.id))
        #expect(try await handle.result().outputs == [[11, 21]])
        #expect(await instance.fanInBuffers.isEmpty)
    }

    @Test("fan-in buffers leaking into the next run")
    func fanInBuffersLeakingIntoTheNextRun() async throws {
        let instance = makeInstance(try fanInWorkflow(failing: Tracker()))
        let failed = try await instance.run(1)
        #expect(failed.status == .failed)
        #expect(await instance.fanInBuffers == ["[short,long2]->join": [[11], []]])
        let handle = try await instance.start(100)
        let events = try await collect(handle.events) { _ in false }
        #expect(try await handle.result().outputs == [[110, 120]])  // not [11, 110, ...]
        #expect(events.compactMap(\.warningReason).first?.contains("values waiting in fan-in [short,long2]->join") == true)
        // A reset clears fan-in buffers too.
        let partial = makeInstance(try fanInWorkflow(failing: Tracker()))
        _ = try await partial.run(1)
        try await partial.reset()
        #expect(await partial.fanInBuffers.isEmpty)
    }

    @Test("silent drops of undeliverable messages")
    func silentDropsOfUndeliverableMessages() async throws {
        var b = WorkflowBuilder(name: "drop", start: "a")
        b.add("a") { Scripted { _, c in c.send(7, to: "nobody"); c.send(8) } }
        let instance = makeInstance(try b.build())
        _ = try await instance.run(nil)
        let warnings = try await instance.events(afterSeq: 0).filter { $0.kind == .warning }.map(\.json)
        #expect(warnings.count == 2, "\(warnings.map { $0.serialized() })")
        #expect(warnings.allSatisfy { $0["executor"] == "a" && $0["valueType"] == "number" && $0["reason"] != nil })
    }

    @Test("the terminal status computed from 'a request was emitted this run' instead of the pending set", .timeLimit(.minutes(3)))
    func terminalStatusFromEmittedRequests() async throws {
        let gate = Gate()
        var b = WorkflowBuilder(name: "answered-in-run", start: "start")
        b.add("start") { Scripted { _, c in c.send("go") } }
        b.add("ask") { Scripted(onResponse: { _, _, _ in }) { _, c in c.requestInfo("quick?") } }
        b.add("work") { Scripted(inline: false) { _, c in try await gate.wait(); c.send("done") } }
        b.add("after") { Scripted { _, _ in } }
        b.addFanOut(from: "start", to: ["ask", "work"])
        b.addEdge(from: "work", to: "after")
        let instance = makeInstance(try b.build())
        let stream = try await instance.subscribe()
        let handle = try await instance.start(nil)
        let seen = try await collect(stream) { $0.kind == .request }
        guard case .request(let request) = seen.last!.body else { return }
        _ = try await instance.respond(to: request.id, with: true)
        gate.open()
        let result = try await handle.result()
        // A request was emitted in this run, but none is open: idle.
        #expect(result.status == .idle)
        #expect(await instance.status == .idle)
    }

    @Test("stored checkpoints mutated through shared references")
    func storedCheckpointsMutatedThroughSharedReferences() async throws {
        var b = WorkflowBuilder(name: "history", start: "a")
        b.add("a") { Scripted { m, c in c.setState("history", .array((c.state("history")?.arrayValue ?? []) + [m])) } }
        let store = InMemoryCheckpointStore()
        let instance = makeInstance(try b.build(), store: store)
        _ = try await instance.run("a")
        let id = try #require(try await instance.checkpoints().last).id
        var loaded = try #require(try await store.checkpoint(id: id))
        #expect(loaded.sharedState["history"] == ["a"])
        _ = try await instance.run("b")  // the live instance moves on
        loaded.sharedState["history"] = ["tampered"]  // and a loaded copy is changed
        let again = try #require(try await store.checkpoint(id: id))
        #expect(again.sharedState["history"] == ["a"])
        #expect(await instance.sharedState["history"] == ["a", "b"])
        // Restoring and continuing does not change the stored checkpoint either.
        _ = try await instance.rewind(to: id)
        _ = try await instance.run("c")
        #expect(try await store.checkpoint(id: id)?.sharedState["history"] == ["a"])
    }

    @Test("a resume flag left set after a failed resumed run")
    func aResumeFlagLeftSetAfterAFailedResumedRun() async throws {
        let failing = Tracker()
        var b = WorkflowBuilder(name: "resume", start: "a")
        b.add("a") { Scripted { m, c in c.send(m) } }
        b.add("b") { Scripted { m, c in
            if m == "poison", await failing.entries.count < 2 { await failing.record("fail"); throw Boom() }
            c.yieldOutput(m)
        } }
        b.addEdge(from: "a", to: "b")
        let instance = makeInstance(try b.build())
        #expect(try await instance.run("poison").status == .failed)
        let retry = try #require(try await instance.checkpoints().last)  // after superstep 1: message to b in flight
        let resumed = try #require(try await instance.rewind(to: retry.id))
        #expect(try await resumed.result().status == .failed)  // the resumed run fails too
        let headAfterFailure = await instance.lineageHead
        // A fresh run is a fresh run: it starts at the start executor with its own input, nothing
        // of the resumed run is replayed, and its lineage continues from the last checkpoint written.
        let fresh = try await instance.start("clean")
        let events = try await collect(fresh.events) { _ in false }
        #expect(try await fresh.result().outputs == ["clean"])
        let invoked = events.compactMap { e -> String? in
            if case .executorInvoked(let executor, _, let message, _) = e.body { return "\(executor):\(message)" }
            return nil
        }
        #expect(invoked == ["a:\"clean\"", "b:\"clean\""])
        let firstOfFresh = try #require(try await instance.checkpoints().first { $0.runID == fresh.runID })
        #expect(firstOfFresh.parentID == headAfterFailure)
        #expect(firstOfFresh.reason == .runStarted)
    }

    @Test("the iteration budget exhausted across human-in-the-loop turns")
    func theIterationBudgetExhaustedAcrossTurns() async throws {
        var b = WorkflowBuilder(name: "chatty", start: "ask")
        b.maxSupersteps = 3
        // Each turn: ask handles the response, echo, ask raises the next request (3 supersteps).
        b.add("ask") { Scripted(onResponse: { r, _, c in c.send(r) }) { _, c in c.requestInfo("turn?") } }
        b.add("echo") { Scripted { m, c in c.send(m) } }
        b.addEdge(from: "ask", to: "echo")
        b.addEdge(from: "echo", to: "ask")
        let instance = makeInstance(try b.build())
        var result = try await instance.run(nil)
        for turn in 1...10 {
            let request = try #require(result.pendingRequests.first, "turn \(turn) has no request")
            let outcome = try await instance.respond(to: request.id, with: .number(Double(turn)))
            result = try await instance.result(of: outcome.runID)
            #expect(result.status == .idleWithPendingRequests, "turn \(turn): \(String(describing: result.error))")
        }
    }

    @Test("pickle-like opaque checkpoint encoding: a checkpoint is plain JSON any program can read")
    func pickleLikeOpaqueCheckpointEncoding() async throws {
        let instance = makeInstance(try approvalWorkflow())
        _ = try await instance.run(["title": "Hello", "tags": ["a", "b"]])
        let summary = try #require(try await instance.checkpoints().last)
        let checkpoint = try #require(try await instance.configuration.store!.checkpoint(id: summary.id))
        let text = checkpoint.json.serialized()
        // Read back by the engine...
        #expect(try Checkpoint(json: try JSON(parsing: text)) == checkpoint)
        // ...and by a program that knows nothing of Swift: Python's json module.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("checkpoint-\(summary.id).json")
        try text.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let python = try await ChildProcess.run("/usr/bin/env", ["python3", "-c", """
            import json, sys
            d = json.load(open(sys.argv[1]))
            print(d["sharedState"]["draft"]["title"], d["pendingRequests"][0]["executor"], d["definitionHash"][:8], d["version"])
            """, file.path])
        #expect(python.status == 0)
        #expect(python.stdout == "Hello approve \(instance.workflow.graphHash.prefix(8)) 1\n")
    }
}


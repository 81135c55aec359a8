import Testing
@testable import WorkflowEngine

/// Asks for approval; on the answer, sends `{request, response}` on.
func approvalWorkflow(maxSupersteps: Int = 100) throws -> Workflow {
    var b = WorkflowBuilder(name: "approval", start: "draft")
    b.maxSupersteps = maxSupersteps
    b.add("draft") { Scripted { m, c in c.setState("draft", m); c.send(m) } }
    b.add("approve") { Scripted { m, c in c.requestInfo(["draft": m], schema: ["type": "boolean"]) } }
    b.add("publish") { Scripted { m, c in c.yieldOutput(["published": m["response"] ?? nil]) } }
    b.addEdge(from: "draft", to: "approve")
    b.addEdge(from: "approve", to: "publish")
    return try b.build()
}

/// An executor that waits for the gate (so a run stays active as long as a test needs).
func gatedWorkflow(_ gate: Gate, name: String = "gated") throws -> Workflow {
    var b = WorkflowBuilder(name: name, start: "wait")
    b.add("wait") { Scripted(inline: false) { m, c in try await gate.wait(); c.send(m) } }
    b.add("out") { output() }
    b.addEdge(from: "wait", to: "out")
    return try b.build()
}

@Suite("Instances: runs, requests, checkpoints, reset (docs/semantics.md §3.1, §3.5, §3.7–3.9)")
struct InstanceTests {
    @Test("a concurrent run attempt is rejected at once with a clear error", .timeLimit(.minutes(3)))
    func busy() async throws {
        let gate = Gate()
        let instance = makeInstance(try gatedWorkflow(gate))
        let first = try await instance.start(1)
        await #expect {
            try await instance.start(2)
        } throws: { error in
            guard let error = workflowError(error) else { return false }
            return error.code == .instanceBusy && error.message == "instance 'test': instance busy: run \(first.runID) is active"
                && error.details["activeRunId"] == .string(first.runID)
        }
        gate.open()
        #expect(try await first.result().outputs == [1])
        #expect(try await instance.run(3).outputs == [3])
    }

    @Test("an overview reads the instance in one step: the active run, the queue, the head and the counters of one moment", .timeLimit(.minutes(3)))
    func overview() async throws {
        let gate = Gate()
        let instance = makeInstance(try gatedWorkflow(gate), onBusy: .queue)
        let first = try await instance.start(1)
        let second = try await instance.start(2)
        await gate.arrived(1)
        let during = await instance.overview
        #expect(during.status == .inProgress)
        #expect(during.activeRunID == first.runID)
        #expect(during.queuedRunIDs == [second.runID])
        #expect(during.pendingRequests.isEmpty)
        #expect(during.brokenReason == nil)
        #expect(during.nextSeq == (await instance.nextSeq))
        gate.open()
        _ = try await second.result()
        let after = await instance.overview
        #expect(after.status == .idle)
        #expect(after.activeRunID == nil && after.queuedRunIDs.isEmpty)
        #expect(after.superstep > during.superstep)
        #expect(after.lineageHead == (await instance.lineageHead))
        #expect(after.messagesInFlight == 0)
    }

    @Test("under the queue policy, runs asked for while one is active run afterwards in order", .timeLimit(.minutes(3)))
    func queue() async throws {
        let gate = Gate()
        let instance = makeInstance(try gatedWorkflow(gate), onBusy: .queue)
        let first = try await instance.start(1)
        let second = try await instance.start(2)
        let third = try await instance.start(3)
        #expect(second.disposition == .queued(position: 1))
        #expect(third.disposition == .queued(position: 2))
        #expect(await instance.queuedRunIDs == [second.runID, third.runID])
        gate.open()
        #expect(try await first.result().outputs == [1])
        #expect(try await second.result().outputs == [2])
        #expect(try await third.result().outputs == [3])
        #expect(await instance.activeRunID == nil)
    }

    @Test("an idempotency key returns the same run and starts nothing new")
    func idempotency() async throws {
        let counter = Tracker()
        var b = WorkflowBuilder(name: "once", start: "a")
        b.add("a") { Scripted { m, c in await counter.record("ran"); c.yieldOutput(m) } }
        let instance = makeInstance(try b.build())
        let first = try await instance.start(1, idempotencyKey: "k")
        _ = try await first.result()
        let again = try await instance.start(99, idempotencyKey: "k")
        #expect(again.runID == first.runID)
        #expect(again.disposition == .existing)
        #expect(try await again.result().outputs == [1])
        #expect(await counter.entries == ["ran"])
        let other = try await instance.start(2, idempotencyKey: "other")
        #expect(other.runID != first.runID)
    }

    @Test("a response to an idle instance starts a continuation run that delivers it to the executor")
    func respondWhenIdle() async throws {
        let instance = makeInstance(try approvalWorkflow(), validator: TypeOnlyValidator())
        let first = try await instance.run("text")
        #expect(first.status == .idleWithPendingRequests)
        let request = try #require(first.pendingRequests.first)
        #expect(request.executor == "approve")
        #expect(request.payload == ["draft": "text"])
        let outcome = try await instance.respond(to: request.id, with: true)
        #expect(outcome.startedRun)
        let second = try await instance.result(of: outcome.runID)
        #expect(second.outputs == [["published": true]])
        #expect(second.status == .idle)
        #expect(await instance.pendingRequests.isEmpty)
    }

    @Test("a response that fails its schema is rejected and the request stays answerable")
    func invalidResponse() async throws {
        let instance = makeInstance(try approvalWorkflow(), validator: TypeOnlyValidator())
        let request = try #require(try await instance.run("text").pendingRequests.first)
        await #expect {
            try await instance.respond(to: request.id, with: "yes")
        } throws: { error in
            guard let error = workflowError(error) else { return false }
            return error.code == .responseInvalid && error.details["problems"] == ["/: expected boolean, got string"]
        }
        #expect(await instance.pendingRequests.map(\.id) == [request.id])
        let outcome = try await instance.respond(to: request.id, with: false)
        #expect(try await instance.result(of: outcome.runID).outputs == [["published": false]])
    }

    @Test("unknown and already answered request ids are rejected with their own code")
    func unknownRequest() async throws {
        let instance = makeInstance(try approvalWorkflow())
        let request = try #require(try await instance.run("text").pendingRequests.first)
        await #expect { try await instance.respond(to: "q-nope", with: true) } throws: { workflowError($0)?.code == .requestNotFound }
        let outcome = try await instance.respond(to: request.id, with: true)
        _ = try await instance.result(of: outcome.runID)
        await #expect { try await instance.respond(to: request.id, with: true) } throws: { error in
            guard let error = workflowError(error) else { return false }
            return error.code == .requestNotFound && error.message.contains("already answered")
        }
    }

    @Test("a response while the run goes on is delivered at the next superstep boundary", .timeLimit(.minutes(3)))
    func respondWhileRunning() async throws {
        let gate = Gate()
        var b = WorkflowBuilder(name: "background", start: "start")
        b.add("start") { Scripted { _, c in c.send("go") } }
        b.add("ask") { Scripted(onResponse: { r, _, c in c.yieldOutput(["answer": r]) }) { _, c in c.requestInfo("ok?") } }
        b.add("work") { Scripted(inline: false) { _, c in try await gate.wait(); c.send("more") } }
        b.add("more") { Scripted { _, c in c.yieldOutput("work done") } }
        b.addFanOut(from: "start", to: ["ask", "work"])
        b.addEdge(from: "work", to: "more")
        let instance = makeInstance(try b.build())
        let stream = try await instance.subscribe()
        let handle = try await instance.start(nil)
        let seen = try await collect(stream) { $0.kind == .request }
        guard case .request(let request) = seen.last!.body else { Issue.record("no request"); return }
        // Superstep 2 (ask + work) is still running: work waits for the gate.
        let outcome = try await instance.respond(to: request.id, with: "yes")
        #expect(outcome == ResponseOutcome(runID: handle.runID, startedRun: false))
        gate.open()
        let result = try await handle.result()
        #expect(result.status == .idle)
        #expect(Set(result.outputs) == [["answer": "yes"], "work done"])
        // The response was handled in superstep 3, the first boundary after it was accepted.
        let events = try await instance.events(afterSeq: 0)
        let answered = events.first { if case .executorInvoked("ask", 3, "yes", request.id) = $0.body { true } else { false } }
        #expect(answered != nil)
    }

    @Test("checkpoints: at run start, after every superstep and on an accepted response, in one lineage")
    func checkpointsAndLineage() async throws {
        let store = InMemoryCheckpointStore()
        let instance = makeInstance(try approvalWorkflow(), store: store)
        let first = try await instance.run("text")  // run start + 2 supersteps
        var list = try await instance.checkpoints()
        #expect(list.map(\.reason) == [.runStarted, .superstep, .superstep])
        #expect(list.map(\.superstep) == [0, 1, 2])
        #expect(list[0].parentID == nil)
        #expect(list[1].parentID == list[0].id && list[2].parentID == list[1].id)
        #expect(list[2].openRequests == 1)
        // Statuses: in progress while messages are in flight; the boundary where the run ends
        // says what it ended in (waiting for a person here, idle after the answer).
        #expect(list.map(\.status) == [.inProgress, .inProgress, .idleWithPendingRequests])
        let outcome = try await instance.respond(to: first.pendingRequests[0].id, with: true)
        _ = try await instance.result(of: outcome.runID)
        list = try await instance.checkpoints()
        #expect(list.map(\.reason) == [.runStarted, .superstep, .superstep, .responseAccepted, .superstep, .superstep])
        #expect(list[3].parentID == list[2].id)  // the lineage continues across the resume
        #expect(list[3].messagesInFlight == 1)
        #expect(list.last?.status == .idle)
        #expect(await instance.lineageHead == list.last!.id)
        let chain = try await instance.lineage()
        #expect(chain.map(\.id) == list.reversed().map(\.id))
        // A second run continues the same lineage.
        _ = try await instance.run("again")
        let after = try await instance.checkpoints()
        #expect(after[6].parentID == list.last!.id)
        // checkpoint_saved events name what was written.
        let saved = try await instance.events(afterSeq: 0).compactMap { e -> String? in
            if case .checkpointSaved(let id, _) = e.body { return id }
            return nil
        }
        #expect(saved == after.map(\.id))
    }

    @Test("rewind restores in place, continues work in flight, and starts a new branch")
    func rewind() async throws {
        var b = WorkflowBuilder(name: "steps", start: "a")
        b.add("a") { Counter() }
        b.add("b") { Scripted { m, c in c.setState("b", m); c.send(m) } }
        b.add("c") { output() }
        b.addEdge(from: "a", to: "b")
        b.addEdge(from: "b", to: "c")
        let instance = makeInstance(try b.build())
        _ = try await instance.run("one")
        let list = try await instance.checkpoints()
        let afterA = list[1]  // superstep 1 done; message to b in flight
        #expect(afterA.messagesInFlight == 1)
        let stream = try await instance.subscribe()
        let handle = try #require(try await instance.rewind(to: afterA.id))
        #expect(handle.disposition == .continued)
        #expect(try await handle.result().outputs == ["one"])
        let seen = try await collect(stream) { $0.runID == handle.runID && isTerminalStatus($0) }
        #expect(seen.first?.kind == .instanceRewound)
        #expect(seen.compactMap(\.statusValue) == [.inProgress, .idle])  // no "idle" before the run continues
        #expect(seen.contains { if case .runStarted(.rewind, _) = $0.body { true } else { false } })
        let now = try await instance.checkpoints()
        let branch = now.dropFirst(list.count)
        #expect(branch.first?.parentID == afterA.id)  // new branch from the rewound checkpoint
        #expect(try await instance.executorSnapshot("a") == ["seen": 1])
        // Rewinding to the start of the lineage restores state and counters there.
        let again = try #require(try await instance.rewind(to: list[0].id))
        #expect(await instance.sharedState.isEmpty)
        _ = try await again.result()
        #expect(await instance.sharedState["b"] == "one")
    }

    @Test("rewind is rejected while running, for unknown ids, and for another definition's checkpoint", .timeLimit(.minutes(3)))
    func rewindRejections() async throws {
        let store = InMemoryCheckpointStore()
        let gate = Gate()
        let instance = makeInstance(try gatedWorkflow(gate), store: store)
        let handle = try await instance.start(1)
        let checkpoint = try #require(try await instance.checkpoints().first)
        await #expect { try await instance.rewind(to: checkpoint.id) } throws: { workflowError($0)?.code == .instanceBusy }
        gate.open()
        _ = try await handle.result()
        await #expect { try await instance.rewind(to: "c-missing") } throws: { workflowError($0)?.code == .checkpointNotFound }
        // Same name, same store, a different graph: incompatible.
        let other = makeInstance(try gatedWorkflow(gate), name: "other", store: store)
        var changed = WorkflowBuilder(name: "gated", start: "wait")
        changed.add("wait") { output() }
        let incompatible = WorkflowInstance(name: "test", workflow: try changed.build(), configuration: .init(store: store))
        await #expect { try await incompatible.rewind(to: checkpoint.id) } throws: { workflowError($0)?.code == .checkpointIncompatible }
        await #expect { try await other.rewind(to: checkpoint.id) } throws: { error in
            guard let error = workflowError(error) else { return false }
            return error.code == .checkpointNotFound && error.message.contains("belongs to instance 'test'")
        }
        let noStore = makeInstance(try gatedWorkflow(gate), store: nil)
        await #expect { try await noStore.rewind(to: checkpoint.id) } throws: { workflowError($0)?.code == .noStore }
    }

    @Test("fork creates a new instance from a checkpoint, records its origin, and leaves the source alone")
    func fork() async throws {
        let instance = makeInstance(try approvalWorkflow())
        let first = try await instance.run("text")
        let pending = try #require(try await instance.checkpoints().last)
        let forked = try await instance.fork(from: pending.id, as: "copy")
        #expect(forked.run == nil)
        let copy = forked.instance
        #expect(copy.name == "copy")
        let origin = await copy.forkedFrom
        #expect(origin?.instance == "test" && origin?.checkpointID == pending.id)
        #expect(await copy.pendingRequests.map(\.id) == first.pendingRequests.map(\.id))
        let outcome = try await copy.respond(to: first.pendingRequests[0].id, with: false)
        #expect(try await copy.result(of: outcome.runID).outputs == [["published": false]])
        #expect(await instance.pendingRequests.count == 1)  // the source still waits
        let copyCheckpoints = try await copy.checkpoints()
        #expect(copyCheckpoints.first?.parentID == pending.id)
    }

    @Test("cancel ends the run cancelled, awaits its executors, and keeps the last checkpoint", .timeLimit(.minutes(3)))
    func cancel() async throws {
        let gate = Gate()
        let tracker = Tracker()
        var b = WorkflowBuilder(name: "cancellable", start: "wait")
        b.add("wait") { Scripted(inline: false) { _, c in
            do { try await gate.wait() } catch { await tracker.record("cancelled"); throw error }
            c.setState("finished", true)
        } }
        let instance = makeInstance(try b.build())
        let handle = try await instance.start(nil)
        await gate.arrived(1)
        let head = await instance.lineageHead
        #expect(await instance.cancel())
        #expect(await tracker.entries == ["cancelled"])  // awaited before cancel returned
        let result = try await handle.result()
        #expect(result.status == .cancelled)
        #expect(result.error?.code == .cancelled)
        #expect(await instance.status == .cancelled)
        #expect(await instance.lineageHead == head)
        #expect(await instance.sharedState["finished"] == nil)
        #expect(await instance.cancel() == false)
    }

    @Test("cancelling the caller of run() cancels the run it drives", .timeLimit(.minutes(3)))
    func cancelCaller() async throws {
        let gate = Gate()
        let instance = makeInstance(try gatedWorkflow(gate))
        let caller = Task { try await instance.run(1) }
        await gate.arrived(1)
        caller.cancel()
        let result = try await caller.value
        #expect(result.status == .cancelled)
    }

    @Test("reset makes the instance like new and is rejected while running unless asked to cancel", .timeLimit(.minutes(3)))
    func reset() async throws {
        let gate = Gate()
        var b = WorkflowBuilder(name: "resettable", start: "a")
        b.add("a") { Counter() }
        b.add("b") { Scripted(inline: false) { m, c in
            c.setState("seen", m)
            if m == "block" { try await gate.wait() }
            c.requestInfo("later?")
        } }
        b.addEdge(from: "a", to: "b")
        let instance = makeInstance(try b.build(), onBusy: .queue)
        let result = try await instance.run("first", idempotencyKey: "key")
        #expect(result.status == .idleWithPendingRequests)
        let running = try await instance.start("block")
        let queued = try await instance.start("queued")
        await gate.arrived(1)
        await #expect { try await instance.reset() } throws: { error in
            guard let error = workflowError(error) else { return false }
            return error.code == .instanceBusy && error.message.contains("pass cancel")
        }
        try await instance.reset(cancelRunning: true)
        #expect(try await running.result().status == .cancelled)
        let dropped = try await queued.result()
        #expect(dropped.status == .cancelled && dropped.error?.message.contains("dropped by a reset") == true)
        #expect(await instance.status == .idle)
        #expect(await instance.sharedState.isEmpty)
        #expect(await instance.pendingRequests.isEmpty)
        #expect(await instance.superstep == 0)
        #expect(await instance.lineageHead == nil)
        #expect(await instance.messagesInFlight == 0)
        #expect(try await instance.executorSnapshot("a") == ["seen": 0])
        // The idempotency key is forgotten: the same key starts a new run.
        gate.open()
        let again = try await instance.start("first", idempotencyKey: "key")
        #expect(again.disposition == .started)
        _ = try await again.result()
        // A new lineage starts; old checkpoints stay listable.
        let list = try await instance.checkpoints()
        let afterReset = list.filter { $0.runID == again.runID }
        #expect(afterReset.first?.parentID == nil)
        #expect(list.count > afterReset.count)
        let log = try await instance.events(afterSeq: 0)
        #expect(log.contains { $0.kind == .instanceReset })
    }

    @Test("a new run on a failed instance discards the dead run's messages and requests with a warning")
    func newRunAfterFailure() async throws {
        let fail = Tracker()
        var b = WorkflowBuilder(name: "flaky", start: "start")
        b.add("start") { Scripted { m, c in c.send(m) } }
        b.add("ask") { Scripted { _, c in c.requestInfo("left open") } }
        b.add("next") { Scripted { m, c in
            if await fail.entries.isEmpty { await fail.record("failed once"); throw Boom() }
            c.yieldOutput(m)
        } }
        b.add("mid") { Scripted { m, c in c.send(m) } }
        b.addFanOut(from: "start", to: ["ask", "mid"])
        b.addEdge(from: "mid", to: "next")
        let instance = makeInstance(try b.build())
        let failed = try await instance.run("x")
        #expect(failed.status == .failed)
        #expect(await instance.messagesInFlight == 1)
        #expect(await instance.pendingRequests.count == 1)
        let stream = try await instance.subscribe()
        let handle = try await instance.start("y")
        let events = try await collect(stream) { isTerminalStatus($0) }
        let warning = try #require(events.compactMap(\.warningReason).first)
        #expect(warning.hasPrefix("discarded what the previous (failed) run left: 1 message(s) in flight to next; open request(s) q"))
        let result = try await handle.result()
        #expect(result.outputs == ["y"])
        #expect(result.pendingRequests.count == 1)  // the new run's own request
    }

    @Test("subscribe(afterSeq:) replays the log, then streams live; seqs are never reused, even across a reset")
    func replayAndSeq() async throws {
        let instance = makeInstance(try approvalWorkflow())
        _ = try await instance.run("one")
        let logged = try await instance.events(afterSeq: 0)
        let middle = logged[logged.count / 2].seq
        try await instance.reset()
        let stream = try await instance.subscribe(afterSeq: middle)
        _ = try await instance.run("two")
        let seen = try await collect(stream) { e in e.runID != nil && isTerminalStatus(e) && e.seq > logged.last!.seq }
        #expect(seen.first?.seq == middle + 1)
        let seqs = seen.map(\.seq)
        #expect(seqs == Array(seqs.first!...seqs.last!))
        let all = try await instance.events(afterSeq: 0, limit: 10_000).map(\.seq)
        #expect(Set(all).count == all.count)
        #expect(all == all.sorted())
    }

    @Test("run results stay available; unknown runs are an error")
    func results() async throws {
        let instance = makeInstance(try approvalWorkflow())
        let result = try await instance.run("one")
        #expect(try await instance.result(of: result.runID) == result)
        await #expect { try await instance.result(of: "r-unknown") } throws: { workflowError($0)?.code == .runNotFound }
        #expect(try RunResult(json: result.json) == result)
    }

    @Test("a failed run discards only what it left: a request an earlier run raised stays open")
    func failedRunKeepsEarlierRequests() async throws {
        var b = WorkflowBuilder(name: "mixed", start: "route")
        b.add("route") { Scripted { m, c in c.send(m, to: m == "ask" ? "ask" : "work") } }
        b.add("ask") { Scripted { _, c in c.requestInfo("q1?") } }
        b.add("work") { Scripted { m, c in
            if m == "fail" { throw Boom() }
            c.requestInfo("mine?")
            c.send(m)
        } }
        b.add("after") { Scripted { m, _ in if m == "fail2" { throw Boom() } } }
        b.addEdge(from: "route", to: "ask")
        b.addEdge(from: "route", to: "work")
        b.addEdge(from: "work", to: "after")
        let instance = makeInstance(try b.build())
        let first = try await instance.run("ask")
        #expect(first.status == .idleWithPendingRequests)
        let q1 = try #require(first.pendingRequests.first)
        // An unrelated run raises its own request, then fails.
        let failed = try await instance.run("fail2")
        #expect(failed.status == .failed)
        #expect(await instance.pendingRequests.count == 2)
        // A fresh run drops the failed run's request, with a warning, and keeps q1.
        let handle = try await instance.start("other")
        let events = try await collect(handle.events) { _ in false }
        let third = try await handle.result()
        let warning = try #require(events.compactMap(\.warningReason).first)
        #expect(warning.contains("open request(s)") && !warning.contains(q1.id))
        #expect(third.pendingRequests.map(\.id).contains(q1.id))
        #expect(third.pendingRequests.count == 2)  // q1, and the new run's own
        // And q1 is still answerable.
        let outcome = try await instance.respond(to: q1.id, with: true)
        #expect(try await instance.result(of: outcome.runID).status == .idleWithPendingRequests)
    }

    @Test("an executor's own WorkflowError keeps its code in the run's error; any other error is its cause")
    func errorsKeepTheirCode() async throws {
        var b = WorkflowBuilder(name: "codes", start: "a")
        b.add("a") { Scripted { m, _ in
            if m == "own" { throw WorkflowError(.responseInvalid, "the model said no", details: ["why": "policy"]) }
            throw Boom()
        } }
        let instance = makeInstance(try b.build())
        let own = try await instance.run("own")
        #expect(own.error?.code == .responseInvalid)
        #expect(own.error?.message == "executor 'a' failed in superstep 1: the model said no")
        #expect(own.error?.details["why"] == "policy" && own.error?.details["executor"] == "a")
        #expect(own.error?.cause is WorkflowError)
        let other = try await instance.run("other")
        #expect(other.error?.code == .executorFailed)
        #expect(other.error?.cause is Boom)
        #expect(other.error?.json["cause"] == "boom")
    }
}

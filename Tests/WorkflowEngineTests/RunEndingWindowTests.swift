import Testing
@testable import WorkflowEngine

/// What arrives while a run records its end (its last commit is in the store, the actor is free)
/// is never lost: a response is delivered by a continuation run, a cancel or a reset ends cleanly,
/// and a checkpoint asked for meanwhile is written. Each test holds that commit in the store
/// (``HoldingStore``) until its request has reached the instance.
@Suite("Requests that arrive while a run records its end")
struct RunEndingWindowTests {
    /// `ask` asks a question; each answer is recorded and followed by the next question.
    static func pingpong(_ seen: Tracker) throws -> Workflow {
        var builder = WorkflowBuilder(name: "pingpong", start: "ask")
        builder.add("ask") {
            Scripted(onResponse: { response, request, context in
                await seen.record("\(request.id)=\(response.serialized())")
                context.requestInfo("again?", schema: ["type": "number"])
            }) { _, context in context.requestInfo("first?", schema: ["type": "number"]) }
        }
        return try builder.build()
    }

    struct Waiting {
        var instance: WorkflowInstance
        var store: HoldingStore
        var seen: Tracker
        /// The open request of the first run.
        var first: String
    }

    /// An instance whose first run ended waiting for an answer.
    static func waitingInstance() async throws -> Waiting {
        let seen = Tracker()
        let store = HoldingStore()
        let instance = WorkflowInstance(name: "pp", workflow: try pingpong(seen), configuration: .init(store: store))
        let result = try await instance.run(0)
        #expect(result.status == .idleWithPendingRequests)
        let first = try #require(result.pendingRequests.first).id
        return Waiting(instance: instance, store: store, seen: seen, first: first)
    }

    /// Answers the first request, and holds the commit that records the end of the run that
    /// delivers it. Returns that run, the question it asked, and the held commit.
    static func answerAndHoldTheEnd(_ waiting: Waiting) async throws -> (run: String, question: String, end: HoldingStore.Hold) {
        let end = waiting.store.hold { batches in batches.contains { $0.ends(with: .idleWithPendingRequests) } }
        let outcome = try await waiting.instance.respond(to: waiting.first, with: 1)
        #expect(outcome.startedRun)
        try await within(.seconds(10), "the end of run \(outcome.runID) to reach the store") { await end.holding() }
        let question = try #require(await waiting.instance.pendingRequests.first).id
        return (outcome.runID, question, end)
    }

    /// Answers `question` in a task of its own and returns once the answer waits in the inbox.
    static func answerInTheWindow(_ waiting: Waiting, _ question: String, with value: JSON) async throws -> Task<ResponseOutcome, any Error> {
        let instance = waiting.instance
        let responding = Task { try await instance.respond(to: question, with: value) }
        try await eventually(.seconds(10), "the answer to \(question) to be accepted") { await instance.messagesInFlight == 1 }
        return responding
    }

    /// What must hold once everything settled: no run active, nothing waiting for delivery.
    static func expectSettled(_ instance: WorkflowInstance, sourceLocation: SourceLocation = #_sourceLocation) async {
        #expect(await instance.activeRunID == nil, sourceLocation: sourceLocation)
        #expect(await instance.messagesInFlight == 0, sourceLocation: sourceLocation)
    }

    @Test("a response accepted while the run records its end is delivered by a continuation, which asks the next question")
    func responseWhileConverging() async throws {
        let waiting = try await Self.waitingInstance()
        let (ending, question, end) = try await Self.answerAndHoldTheEnd(waiting)
        let responding = try await Self.answerInTheWindow(waiting, question, with: 2)
        end.release()
        let outcome = try await within(.seconds(10), "request.respond") { try await responding.value }
        #expect(outcome.runID != ending && outcome.startedRun, "the ending run \(ending) cannot take the answer")
        let result = try await within(.seconds(10), "the continuation \(outcome.runID)") { try await waiting.instance.result(of: outcome.runID) }
        #expect(result.status == .idleWithPendingRequests)
        #expect(await waiting.seen.entries == ["\(waiting.first)=1", "\(question)=2"])
        let open = await waiting.instance.pendingRequests
        #expect(open.count == 1 && open.first?.id != question, "the next question is open")
        await Self.expectSettled(waiting.instance)
    }

    @Test("a response and a cancel while the run records its end: the run ends as it decided, the response is delivered after it")
    func responseAndCancelWhileConverging() async throws {
        let waiting = try await Self.waitingInstance()
        let instance = waiting.instance
        let (ending, question, end) = try await Self.answerAndHoldTheEnd(waiting)
        let responding = try await Self.answerInTheWindow(waiting, question, with: 2)
        let cancelling = Task { await instance.cancel() }
        try await eventually(.seconds(10), "the cancel to reach the run") { await instance.lifecycle.stopRequest == .cancel }
        end.release()
        #expect(try await within(.seconds(10), "run.cancel") { await cancelling.value }, "a run was active when the cancel came")
        let ended = try await within(.seconds(10), "run \(ending)") { try await instance.result(of: ending) }
        #expect(ended.status == .idleWithPendingRequests, "the run had converged before the cancel came")
        let outcome = try await within(.seconds(10), "request.respond") { try await responding.value }
        let continued = try await within(.seconds(10), "the continuation \(outcome.runID)") { try await instance.result(of: outcome.runID) }
        #expect(continued.status == .idleWithPendingRequests)
        #expect(await waiting.seen.entries == ["\(waiting.first)=1", "\(question)=2"])
        await Self.expectSettled(instance)
    }

    @Test("a response and a reset with cancel while the run records its end: the reset clears the response and tells its run")
    func responseAndResetWhileConverging() async throws {
        let waiting = try await Self.waitingInstance()
        let instance = waiting.instance
        let (_, question, end) = try await Self.answerAndHoldTheEnd(waiting)
        let responding = try await Self.answerInTheWindow(waiting, question, with: 2)
        let resetting = Task { try await instance.reset(cancelRunning: true) }
        try await eventually(.seconds(10), "the reset to wait for the run") { await instance.lifecycle.stopRequest == .cancelForReset }
        end.release()
        try await within(.seconds(10), "instance.reset") { try await resetting.value }
        let outcome = try await within(.seconds(10), "request.respond") { try await responding.value }
        #expect(outcome.startedRun)
        // The run the response was promised to never comes: whoever waits for it is told why.
        let dropped = try await within(.seconds(10), "the dropped continuation \(outcome.runID)") { try await instance.result(of: outcome.runID) }
        #expect(dropped.status == .cancelled)
        #expect(dropped.error?.message.contains("reset") == true)
        #expect(await instance.pendingRequests.isEmpty)
        #expect(await instance.superstep == 0)
        #expect(await waiting.seen.entries == ["\(waiting.first)=1"])
        await Self.expectSettled(instance)
        // The instance works as new.
        let next = try await within(.seconds(10), "a run after the reset") { try await instance.run(0) }
        #expect(next.status == .idleWithPendingRequests && next.pendingRequests.count == 1)
    }

    @Test("a checkpoint and a reset with cancel while the run records its end: the checkpoint is the run's end, then the reset")
    func checkpointAndResetWhileConverging() async throws {
        // The run's end is decided before the checkpoint's commit is awaited, so the reset that
        // waits for the run takes over only once the run is over.
        let waiting = try await Self.waitingInstance()
        let instance = waiting.instance
        let end = try await Self.answerAndHoldTheEnd(waiting).end
        let checkpointing = Task { try await instance.takeCheckpoint() }
        try await eventually(.seconds(10), "the checkpoint to wait for a boundary") { await instance.boundaryWaiters.count == 1 }
        let resetting = Task { try await instance.reset(cancelRunning: true) }
        try await eventually(.seconds(10), "the reset to wait for the run") { await instance.lifecycle.stopRequest == .cancelForReset }
        end.release()
        let checkpoint = try await within(.seconds(10), "checkpoint.create") { try await checkpointing.value }
        try await within(.seconds(10), "instance.reset") { try await resetting.value }
        let stored = try #require(try await waiting.store.checkpoint(id: checkpoint))
        #expect(stored.pendingRequests.count == 1, "the checkpoint holds the run's end: its open question")
        #expect(await instance.pendingRequests.isEmpty)
        #expect(await instance.lineageHead == nil)
        await Self.expectSettled(instance)
    }

    /// start → [ask, slow]; slow → boom, which fails: a run that fails in its third superstep
    /// with the question `ask` asked in its second still open.
    static func failing(_ seen: Tracker) throws -> Workflow {
        var builder = WorkflowBuilder(name: "failing", start: "start")
        builder.add("start") { Scripted { message, context in context.send(message) } }
        builder.add("ask") {
            Scripted(onResponse: { response, request, context in
                await seen.record("\(request.id)=\(response.serialized())")
                context.requestInfo("again?", schema: ["type": "number"])
            }) { _, context in context.requestInfo("first?", schema: ["type": "number"]) }
        }
        builder.add("slow") { Scripted { message, context in context.send(message) } }
        builder.add("boom") { Scripted { _, _ in throw Boom() } }
        builder.addFanOut(from: "start", to: ["ask", "slow"])
        builder.addEdge(from: "slow", to: "boom")
        return try builder.build()
    }

    @Test("a response accepted while a failed run records its end is delivered by a continuation, which drops what the failure left")
    func responseWhileFailing() async throws {
        let seen = Tracker()
        let store = HoldingStore()
        let instance = WorkflowInstance(name: "f", workflow: try Self.failing(seen), configuration: .init(store: store))
        let end = store.hold { batches in batches.contains { $0.ends(with: .failed) } }
        let running = try await instance.start(0)
        try await within(.seconds(10), "the failed end to reach the store") { await end.holding() }
        let question = try #require(await instance.pendingRequests.first).id
        let responding = Task { try await instance.respond(to: question, with: 7) }
        try await eventually(.seconds(10), "the answer to be accepted") { await instance.messagesInFlight >= 1 }
        end.release()
        let failed = try await within(.seconds(10), "the failed run") { try await running.result() }
        #expect(failed.status == .failed)
        let outcome = try await within(.seconds(10), "request.respond") { try await responding.value }
        #expect(outcome.runID != running.runID && outcome.startedRun)
        let continued = try await within(.seconds(10), "the continuation") { try await instance.result(of: outcome.runID) }
        #expect(continued.status == .idleWithPendingRequests)
        #expect(await seen.entries == ["\(question)=7"])
        await Self.expectSettled(instance)
    }

    @Test("a response accepted while a run is being cancelled is delivered by a continuation after it")
    func responseWhileCancelling() async throws {
        // start → [ask, work]; work waits on a gate the test never opens, so the run is inside a
        // concurrent superstep when it is cancelled.
        let seen = Tracker()
        let gate = Gate()
        var builder = WorkflowBuilder(name: "cancelling", start: "start")
        builder.add("start") { Scripted { message, context in context.send(message) } }
        builder.add("ask") {
            Scripted(onResponse: { response, request, context in
                await seen.record("\(request.id)=\(response.serialized())")
            }) { _, context in context.requestInfo("first?", schema: ["type": "number"]) }
        }
        builder.add("work") { Scripted(inline: false) { _, _ in try await gate.wait() } }
        builder.addFanOut(from: "start", to: ["ask", "work"])
        let store = HoldingStore()
        let instance = WorkflowInstance(name: "c", workflow: try builder.build(), configuration: .init(store: store))
        let running = try await instance.start(0)
        await gate.arrived(1)
        let question = try #require(await instance.pendingRequests.first).id
        let end = store.hold { batches in batches.contains { $0.ends(with: .cancelled) } }
        let cancelling = Task { await instance.cancel() }
        try await within(.seconds(10), "the cancelled end to reach the store") { await end.holding() }
        let responding = Task { try await instance.respond(to: question, with: 3) }
        try await eventually(.seconds(10), "the answer to be accepted") { await instance.messagesInFlight >= 1 }
        end.release()
        _ = try await within(.seconds(10), "run.cancel") { await cancelling.value }
        #expect(try await running.result().status == .cancelled)
        let outcome = try await within(.seconds(10), "request.respond") { try await responding.value }
        #expect(outcome.runID != running.runID)
        let continued = try await within(.seconds(10), "the continuation") { try await instance.result(of: outcome.runID) }
        #expect(continued.status == .idle)
        #expect(await seen.entries == ["\(question)=3"])
        await Self.expectSettled(instance)
    }
}

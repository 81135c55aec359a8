import Testing
@testable import WorkflowEngine

/// Waits (durable timers and signals) with a clock moved by hand: what ends a run `waiting`, what
/// fires, when, how often, and how waits live in the instance's state (checkpoint, rewind, reset,
/// fork).
@Suite("Waits: timers and signals on a manual clock")
struct WaitTests {
    static let start = 1_800_000_000.0

    /// `later` waits (10 minutes, or the signal `approved`) and sends the wake to `done`, which
    /// outputs it.
    static func workflow(for seconds: Double? = 600, until: Double? = nil, signal: String? = "approved") throws -> Workflow {
        var builder = WorkflowBuilder(name: "remind", start: "later")
        builder.add("later") {
            Scripted { message, context in try context.wait(for: seconds, until: until, signal: signal, input: message) }
        }
        builder.add("done") { output() }
        builder.addEdge(from: "later", to: "done")
        return try builder.build()
    }

    static func instance(_ workflow: Workflow, clock: ManualClock, store: InMemoryCheckpointStore = InMemoryCheckpointStore(),
                         signalLimit: Int = 100, name: String = "test") -> WorkflowInstance {
        WorkflowInstance(name: name, workflow: workflow,
                         configuration: InstanceConfiguration(store: store, signalLimit: signalLimit, clock: clock))
    }

    @Test("a wait for a duration ends its run waiting; it fires once, when the clock passes its time, and a continuation run sends the wake on")
    func timerFires() async throws {
        let clock = ManualClock(start: Self.start)
        let store = InMemoryCheckpointStore()
        let instance = Self.instance(try Self.workflow(), clock: clock, store: store)
        let first = try await instance.run(["draft": 1])
        #expect(first.status == .waiting)
        #expect(await instance.status == .waiting)
        #expect(await instance.nextWaitDue == Self.start + 600)
        #expect(try await instance.fireDueWaits().isEmpty, "nothing is due yet")
        clock.advance(by: 599)
        #expect(try await instance.fireDueWaits().isEmpty)
        clock.advance(by: 2)
        let fired = try await instance.fireDueWaits()
        #expect(fired.count == 1)
        #expect(fired.first?.startedRun == true)
        let result = try await instance.result(of: try #require(fired.first?.runID))
        #expect(result.status == .idle)
        let message = try #require(result.outputs.first)
        #expect(message["reason"] == "for")
        #expect(message["input"] == ["draft": 1])
        #expect(message["scheduledFor"]?.stringValue == Timestamp.format(Self.start + 600))
        #expect(message["firedAt"]?.stringValue == Timestamp.format(Self.start + 601))
        #expect(message["signal"] == nil)
        #expect(await instance.armedWaits.isEmpty)
        #expect(await instance.nextWaitDue == nil)
        clock.advance(by: 3_600)
        #expect(try await instance.fireDueWaits().isEmpty, "a wait fires once")
        let events = try await store.events(instance: "test", afterSeq: 0, limit: 1_000)
        let fires = events.compactMap { event -> (Double, Double)? in
            if case .timerFired(_, _, let due, let firedAt) = event.body { return (due, firedAt) }
            return nil
        }
        #expect(fires.count == 1)
        #expect(fires.first.map { $0.1 - $0.0 } == 1)
        #expect(events.first { $0.json["type"] == "timer_fired" }?.json["lateByMs"] == 1_000)
        #expect(events.contains { if case .runStarted(.timer, _) = $0.body { true } else { false } })
    }

    @Test("a signal wakes the wait before its time: the message says signal and carries its payload, and the timer never fires after")
    func signalWakes() async throws {
        let clock = ManualClock(start: Self.start)
        let instance = Self.instance(try Self.workflow(), clock: clock)
        #expect(try await instance.run("x").status == .waiting)
        clock.advance(by: 60)
        let outcome = try await instance.signal("approved", payload: ["by": "ana"])
        #expect(outcome.waitID != nil)
        #expect(outcome.startedRun)
        let result = try await instance.result(of: try #require(outcome.runID))
        let message = try #require(result.outputs.first)
        #expect(message["reason"] == "signal")
        #expect(message["signal"] == ["name": "approved", "payload": ["by": "ana"]])
        #expect(message["firedAt"]?.stringValue == Timestamp.format(Self.start + 60))
        clock.advance(by: 3_600)
        #expect(try await instance.fireDueWaits().isEmpty)
        #expect(await instance.status == .idle)
    }

    @Test("a signal that comes before anything waits for it is kept, and the first wait for its name takes it at once")
    func earlySignalIsKept() async throws {
        let clock = ManualClock(start: Self.start)
        let store = InMemoryCheckpointStore()
        let instance = Self.instance(try Self.workflow(for: nil), clock: clock, store: store)
        let kept = try await instance.signal("approved", payload: 7)
        #expect(kept.waitID == nil && kept.runID == nil && !kept.startedRun)
        #expect(await instance.keptSignals.map(\.name) == ["approved"])
        // Durable: the head checkpoint holds it.
        let headID = try #require(await instance.lineageHead)
        let head = try #require(try await store.checkpoint(id: headID))
        #expect(head.signals.map(\.payload) == [7])
        #expect(head.reason == .signalKept)
        let result = try await instance.run("x")
        #expect(result.status == .idle, "the wait took the kept signal at once")
        #expect(result.outputs.first?["reason"] == "signal")
        #expect(result.outputs.first?["signal"]?["payload"] == 7)
        #expect(await instance.keptSignals.isEmpty)
        #expect(await instance.armedWaits.isEmpty)
    }

    @Test("signals kept for no wait are bounded: beyond signalLimit one is refused with limitExceeded naming the bound, and nothing kept is lost")
    func keptSignalsAreBounded() async throws {
        let instance = Self.instance(try Self.workflow(), clock: ManualClock(), signalLimit: 2)
        try await instance.signal("a")
        try await instance.signal("b")
        do {
            try await instance.signal("c")
            Issue.record("a third kept signal was taken")
        } catch let error as WorkflowError {
            #expect(error.code == .limitExceeded)
            #expect(error.message.contains("signalLimit"))
            #expect(error.details["limit"] == "signalLimit")
        }
        #expect(await instance.keptSignals.map(\.name) == ["a", "b"])
    }

    @Test("the earlier of a duration and a time wins; a wait whose time has already come fires in the same run")
    func earliestTimeWins() async throws {
        let clock = ManualClock(start: Self.start)
        let until = Self.instance(try Self.workflow(for: 600, until: Self.start + 30, signal: nil), clock: clock)
        #expect(try await until.run(1).status == .waiting)
        #expect(await until.nextWaitDue == Self.start + 30)
        #expect(await until.armedWaits.first?.timeReason == .until)
        let passed = Self.instance(try Self.workflow(for: nil, until: Self.start - 5, signal: nil), clock: clock)
        let result = try await passed.run(1)
        #expect(result.status == .idle)
        #expect(result.outputs.first?["reason"] == "until")
        let now = Self.instance(try Self.workflow(for: 0, signal: nil), clock: clock)
        #expect(try await now.run(1).outputs.first?["reason"] == "for")
    }

    @Test("waits are instance state: a checkpoint holds them, reset clears them, rewind brings them back, fork copies them")
    func waitsAreState() async throws {
        let clock = ManualClock(start: Self.start)
        let store = InMemoryCheckpointStore()
        let instance = Self.instance(try Self.workflow(), clock: clock, store: store)
        #expect(try await instance.run("x").status == .waiting)
        let armed = await instance.armedWaits
        #expect(armed.count == 1)
        let checkpointID = try #require(await instance.lineageHead)
        let checkpoint = try #require(try await store.checkpoint(id: checkpointID))
        #expect(checkpoint.waits == armed)
        #expect(checkpoint.status == .waiting)
        #expect(try Checkpoint(json: try JSON(parsing: checkpoint.json.serialized())) == checkpoint)

        try await instance.reset()
        #expect(await instance.armedWaits.isEmpty)
        #expect(await instance.status == .idle)
        clock.advance(by: 700)
        #expect(try await instance.fireDueWaits().isEmpty, "a reset wait never fires")

        _ = try await instance.rewind(to: checkpointID)
        #expect(await instance.armedWaits == armed)
        let fired = try await instance.fireDueWaits()
        #expect(fired.count == 1, "the rewound wait is due, late, and fires")

        let fork = try await instance.fork(from: checkpointID, as: "copy")
        #expect(await fork.instance.armedWaits == armed)
    }

    @Test("a signal that comes while a run is active goes to that run at its next boundary; no continuation starts")
    func signalDuringRun() async throws {
        let gate = Gate()
        var builder = WorkflowBuilder(name: "busy", start: "later")
        builder.add("later") {
            Scripted { message, context in
                try context.wait(signal: "go", input: message)
                context.send("work", to: "slow")
            }
        }
        builder.add("slow") {
            Scripted(inline: false) { message, _ in if message == "work" { try await gate.wait() } }
        }
        builder.add("done") { output() }
        builder.addFanOut(from: "later", to: ["slow", "done"])
        let instance = Self.instance(try builder.build(), clock: ManualClock())
        let handle = try await instance.start(1)
        await gate.arrived(1)
        let outcome = try await instance.signal("go", payload: "now")
        #expect(outcome.runID == handle.runID)
        #expect(!outcome.startedRun)
        gate.open()
        let result = try await handle.result()
        #expect(result.status == .idle)
        #expect(result.outputs.map { $0["reason"] } == ["signal"])
        #expect(result.outputs.first?["signal"]?["payload"] == "now")
    }

    @Test("a new input after a failed run drops the waits that run armed, saying so; waits of earlier runs stay")
    func failedRunDropsItsWaits() async throws {
        var builder = WorkflowBuilder(name: "flaky", start: "later")
        builder.add("later") {
            Scripted { message, context in
                try context.wait(for: 60, input: message)
                if message == "fail" { context.send("boom", to: "boom") }
            }
        }
        builder.add("boom") { Scripted { _, _ in throw WorkflowError(.executorFailed, "boom") } }
        builder.addEdge(from: "later", to: "boom")
        let clock = ManualClock(start: Self.start)
        let store = InMemoryCheckpointStore()
        let instance = Self.instance(try builder.build(), clock: clock, store: store)
        #expect(try await instance.run("keep").status == .waiting)
        #expect(try await instance.run("fail").status == .failed)
        #expect(await instance.armedWaits.count == 2)
        #expect(try await instance.run("next").status == .waiting)
        let inputs = await instance.armedWaits.map(\.input)
        #expect(Set(inputs) == ["keep", "next"])
        let warnings = try await store.events(instance: "test", afterSeq: 0, limit: 1_000).compactMap(\.warningReason)
        #expect(warnings.contains { $0.contains("armed wait(s)") })
    }

    @Test("a request with a timeout closes unanswered when it passes: request_timed_out, the run fails by default, a late answer is refused saying when")
    func requestTimesOut() async throws {
        var builder = WorkflowBuilder(name: "ask", start: "ask")
        builder.add("ask") { Scripted { message, context in context.requestInfo(message, timeout: 3_600) } }
        let clock = ManualClock(start: Self.start)
        let store = InMemoryCheckpointStore()
        let instance = Self.instance(try builder.build(), clock: clock, store: store)
        let first = try await instance.run("go on?")
        #expect(first.status == .idleWithPendingRequests, "a request open takes precedence over its timeout's wait")
        let request = try #require(first.pendingRequests.first)
        #expect(request.expiresAt == Self.start + 3_600)
        #expect(await instance.nextWaitDue == Self.start + 3_600)
        clock.advance(by: 3_600)
        let fired = try await instance.fireDueWaits()
        let result = try await instance.result(of: try #require(fired.first?.runID))
        #expect(result.status == .failed)
        #expect(result.error?.message.contains("timed out") == true)
        #expect(await instance.pendingRequests.isEmpty)
        let events = try await store.events(instance: "test", afterSeq: 0, limit: 1_000)
        #expect(events.contains { if case .requestTimedOut(request.id, "ask", Self.start + 3_600) = $0.body { true } else { false } })
        #expect(!events.contains { $0.kind == .timerFired }, "a request's timeout says request_timed_out, not timer_fired")
        do {
            try await instance.respond(to: request.id, with: "yes")
            Issue.record("a late answer was accepted")
        } catch let error as WorkflowError {
            #expect(error.code == .requestNotFound)
            #expect(error.message.contains("timed out at \(Timestamp.format(Self.start + 3_600))"), "\(error.message)")
        }
    }

    @Test("an answer in time disarms the request's timeout: nothing fires later")
    func answerDisarmsTimeout() async throws {
        var builder = WorkflowBuilder(name: "ask", start: "ask")
        builder.add("ask") { Scripted { message, context in context.requestInfo(message, timeout: 60) } }
        builder.add("out") { output() }
        builder.addEdge(from: "ask", to: "out")
        let clock = ManualClock(start: Self.start)
        let instance = Self.instance(try builder.build(), clock: clock)
        let request = try #require(try await instance.run("?").pendingRequests.first)
        let outcome = try await instance.respond(to: request.id, with: "yes")
        #expect(try await instance.result(of: outcome.runID).status == .idle)
        #expect(await instance.armedWaits.isEmpty)
        clock.advance(by: 120)
        #expect(try await instance.fireDueWaits().isEmpty)
    }

    @Test("a wait without a time or a signal fails its run, naming what a wait needs")
    func invalidWait() async throws {
        var builder = WorkflowBuilder(name: "bad", start: "later")
        builder.add("later") { Scripted { message, context in try context.wait(input: message) } }
        let result = try await Self.instance(try builder.build(), clock: ManualClock()).run(1)
        #expect(result.status == .failed)
        #expect(result.error?.message.contains("a wait needs a duration (for), a time (until) or a signal") == true)
    }
}

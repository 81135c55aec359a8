import Testing
@testable import WorkflowEngine

@Suite("Supersteps, state, edges and events (docs/semantics.md §3.2–3.6)")
struct SuperstepTests {
    @Test("a message sent in superstep N is delivered in N+1, and a run emits its events in order")
    func deliveryOrder() async throws {
        var b = WorkflowBuilder(name: "pair", start: "upper")
        b.add("upper") { Scripted { m, c in c.send(.string(m.stringValue!.uppercased())) } }
        b.add("out") { output() }
        b.addEdge(from: "upper", to: "out")
        let instance = makeInstance(try b.build(), store: nil)
        let handle = try await instance.start("hi")
        let events = try await collect(handle.events) { _ in false }
        let result = try await handle.result()
        #expect(result.outputs == ["HI"])
        #expect(result.status == .idle)
        #expect(result.supersteps == 2)
        let trace = events.map { event -> String in
            switch event.body {
            case .superstepStarted(let n): "start#\(n)"
            case .superstepCompleted(let n): "done#\(n)"
            case .executorInvoked(let e, let n, _, _): "invoke:\(e)@\(n)"
            case .executorCompleted(let e, _): "completed:\(e)"
            case .output(let e, let v): "output:\(e)=\(v)"
            case .status(let s): "status:\(s.rawValue)"
            default: event.kind.rawValue
            }
        }
        #expect(trace == ["run_started", "status:in_progress", "start#1", "invoke:upper@1", "completed:upper", "done#1",
                          "start#2", "invoke:out@2", "output:out=\"HI\"", "completed:out", "done#2", "status:idle"])
        let seqs = events.map(\.seq)
        #expect(seqs == Array(seqs.first!..<(seqs.first! + UInt64(seqs.count))))
    }

    @Test("executors with messages in one superstep run concurrently", .timeLimit(.minutes(3)))
    func concurrentExecutors() async throws {
        let barrier = Gate()
        var b = WorkflowBuilder(name: "parallel", start: "split")
        b.add("split") { increment() }
        for id in ["left", "right"] {
            b.add(id) { Scripted { m, c in
                barrier.arrive()
                await barrier.arrived(2)  // only returns if the other one runs at the same time
                c.send(m)
            } }
        }
        b.add("join") { output() }
        b.addFanOut(from: "split", to: ["left", "right"])
        b.addFanIn(from: ["left", "right"], to: "join")
        let result = try await makeInstance(try b.build(), store: nil).run(0)
        #expect(result.outputs == [[1, 1]])
    }

    @Test("one executor handles its messages one at a time, in arrival order per sender")
    func perExecutorOrder() async throws {
        let tracker = Tracker()
        var b = WorkflowBuilder(name: "order", start: "start")
        b.add("start") { Scripted { _, c in c.send("go") } }
        b.add("a") { Scripted { _, c in for n in [1, 2, 3] { c.send(.number(Double(n))) } } }
        b.add("b") { Scripted { _, c in for n in [10, 20] { c.send(.number(Double(n))) } } }
        b.add("c") { Scripted(inline: false) { m, _ in
            await tracker.record("begin \(m)")
            await tracker.record("end \(m)")
        } }
        b.addFanOut(from: "start", to: ["a", "b"])
        b.addEdge(from: "a", to: "c")
        b.addEdge(from: "b", to: "c")
        _ = try await makeInstance(try b.build(), store: nil).run(nil)
        let entries = await tracker.entries
        #expect(entries == ["begin 1", "end 1", "begin 2", "end 2", "begin 3", "end 3", "begin 10", "end 10", "begin 20", "end 20"])
    }

    @Test("maxSupersteps bounds a run, and the error names the executors still holding messages")
    func budget() async throws {
        var b = WorkflowBuilder(name: "forever", start: "loop")
        b.maxSupersteps = 5
        b.add("loop") { increment() }
        b.addEdge(from: "loop", to: "loop")
        let instance = makeInstance(try b.build(), store: nil)
        let result = try await instance.run(0)
        #expect(result.status == .failed)
        #expect(result.supersteps == 5)
        #expect(result.error?.code == .superstepLimitExceeded)
        #expect(result.error?.message.contains("maxSupersteps (5); executors still holding messages: loop") == true)
        #expect(await instance.status == .failed)
    }

    @Test("state is strict BSP: others see a write from the next superstep, the writer at once")
    func strictBSP() async throws {
        let tracker = Tracker()
        var b = WorkflowBuilder(name: "bsp", start: "start")
        b.add("start") { Scripted { _, c in c.send("go") } }
        b.add("writer") { Scripted { _, c in
            c.setState("k", "new")
            await tracker.record("writer sees \(c.state("k")?.serialized() ?? "nothing")")
            c.send("next")
        } }
        b.add("reader") { Scripted { _, c in await tracker.record("reader sees \(c.state("k")?.serialized() ?? "nothing") in \(c.superstep)") } }
        b.add("later") { Scripted { _, c in await tracker.record("later sees \(c.state("k")?.serialized() ?? "nothing") in \(c.superstep)") } }
        b.addFanOut(from: "start", to: ["writer", "reader"])
        b.addEdge(from: "writer", to: "later")
        let instance = makeInstance(try b.build(), store: nil)
        _ = try await instance.run(nil)
        let entries = Set(await tracker.entries)
        #expect(entries == ["writer sees \"new\"", "reader sees nothing in 2", "later sees \"new\" in 3"])
        #expect(await instance.sharedState == ["k": "new"])
    }

    @Test("when several executors write one key in a superstep, the greatest id wins, whoever finishes last")
    func lastWriterWins() async throws {
        let gate = Gate()
        var b = WorkflowBuilder(name: "writers", start: "start")
        b.add("start") { Scripted { _, c in c.send("go") } }
        // "z" finishes first, "a" waits for it; still "z" wins because ids decide, not timing.
        b.add("a") { Scripted { _, c in try await gate.wait(); c.setState("k", "a") } }
        b.add("z") { Scripted { _, c in c.setState("k", "z"); gate.open() } }
        b.addFanOut(from: "start", to: ["a", "z"])
        let instance = makeInstance(try b.build(), store: nil)
        _ = try await instance.run(nil)
        #expect(await instance.sharedState["k"] == "z")
    }

    @Test("removing a key is staged like a write")
    func removeState() async throws {
        var b = WorkflowBuilder(name: "remove", start: "a")
        b.add("a") { Scripted { m, c in if m == "set" { c.setState("k", 1) } else { c.removeState("k"); #expect(c.state("k") == nil) } } }
        let instance = makeInstance(try b.build(), store: nil)
        _ = try await instance.run("set")
        #expect(await instance.sharedState == ["k": 1])
        _ = try await instance.run("remove")
        #expect(await instance.sharedState == [:])
    }

    @Test("shared state survives from run to run on an instance")
    func stateAcrossRuns() async throws {
        var b = WorkflowBuilder(name: "memory", start: "a")
        b.add("a") { Scripted { m, c in
            let history = c.state("history")?.arrayValue ?? []
            c.setState("history", .array(history + [m]))
        } }
        let instance = makeInstance(try b.build(), store: nil)
        for turn in ["run1", "run2", "run3"] { _ = try await instance.run(.string(turn)) }
        #expect(await instance.sharedState["history"] == ["run1", "run2", "run3"])
    }

    @Test("a fan-in waits across supersteps and fires once with one value per source in source order")
    func fanIn() async throws {
        var b = WorkflowBuilder(name: "fanin", start: "start")
        b.add("start") { Scripted { _, c in c.send("go") } }
        b.add("short") { Scripted { _, c in c.send(11) } }
        b.add("long1") { Scripted { _, c in c.send(20) } }
        b.add("long2") { Scripted { m, c in c.send(.number(m.doubleValue! + 1)) } }
        b.add("join") { output() }
        b.addFanOut(from: "start", to: ["short", "long1"])
        b.addEdge(from: "long1", to: "long2")
        b.addFanIn(from: ["long2", "short"], to: "join")
        let instance = makeInstance(try b.build(), store: nil)
        let handle = try await instance.start(nil)
        let events = try await collect(handle.events) { _ in false }
        #expect(try await handle.result().outputs == [[21, 11]])
        let joinSupersteps = events.compactMap { e -> Int? in
            if case .executorInvoked("join", let n, _, _) = e.body { return n }
            return nil
        }
        #expect(joinSupersteps == [4])
        #expect(await instance.fanInBuffers.isEmpty)
    }

    @Test("switch: cases in order, first match wins, else the default")
    func switchEdges() async throws {
        var b = WorkflowBuilder(name: "switch", start: "a")
        b.add("a") { Scripted { m, c in c.send(m) } }
        b.add("high") { Scripted { _, c in c.yieldOutput("high") } }
        b.add("mid") { Scripted { _, c in c.yieldOutput("mid") } }
        b.add("low") { Scripted { _, c in c.yieldOutput("low") } }
        b.addSwitch(from: "a", cases: [
            SwitchCase(when: EdgeCondition("> 10") { m, _ in m.doubleValue! > 10 }, to: "high"),
            SwitchCase(when: EdgeCondition("> 5") { m, _ in m.doubleValue! > 5 }, to: "mid"),
        ], default: "low")
        let instance = makeInstance(try b.build(), store: nil)
        #expect(try await instance.run(20).outputs == ["high"])
        #expect(try await instance.run(7).outputs == ["mid"])
        #expect(try await instance.run(1).outputs == ["low"])
    }

    @Test("fan-out to all, to a selected subset, and direct edges with conditions over message and state")
    func fanOutAndConditions() async throws {
        var b = WorkflowBuilder(name: "route", start: "a")
        b.add("a") { Scripted { m, c in c.setState("mode", m["mode"]!); c.send(m) } }
        for id in ["x", "y", "z"] { b.add(id) { Scripted { _, c in c.yieldOutput(.string(id)) } } }
        b.add("cond") { Scripted { _, c in c.yieldOutput("cond") } }
        b.addFanOut(from: "a", to: ["x", "y", "z"], select: EdgeSelection("message.pick") { m, _, _ in
            m["pick"]!.arrayValue!.map { $0.stringValue! }
        })
        b.addEdge(from: "a", to: "cond", when: EdgeCondition("state.mode == 'on'") { _, state in state["mode"] == "on" })
        let instance = makeInstance(try b.build(), store: nil)
        let on = try await instance.run(["pick": ["x", "z"], "mode": "on"])
        #expect(Set(on.outputs) == ["x", "z", "cond"])
        let off = try await instance.run(["pick": ["y"], "mode": "off"])
        #expect(off.outputs == ["y"])
    }

    @Test("a self-loop runs until its condition stops it")
    func selfLoop() async throws {
        var b = WorkflowBuilder(name: "count", start: "count")
        b.add("count") { Scripted { m, c in
            let n = m.doubleValue! + 1
            if n < 4 { c.send(.number(n), to: "count") } else { c.yieldOutput(.number(n)) }
        } }
        b.addEdge(from: "count", to: "count")
        let result = try await makeInstance(try b.build(), store: nil).run(0)
        #expect(result.outputs == [4])
        #expect(result.supersteps == 4)
    }

    @Test("send(to:) delivers only along the edge to that target")
    func targetedSend() async throws {
        var b = WorkflowBuilder(name: "targeted", start: "a")
        b.add("a") { Scripted { _, c in c.send("only-y", to: "y") } }
        b.add("x") { Scripted { m, c in c.yieldOutput(.string("x got \(m)")) } }
        b.add("y") { Scripted { m, c in c.yieldOutput(.string("y got \(m.stringValue!)")) } }
        b.addFanOut(from: "a", to: ["x", "y"])
        #expect(try await makeInstance(try b.build(), store: nil).run(nil).outputs == ["y got only-y"])
    }

    @Test("nothing is dropped silently: each undeliverable message is a warning naming executor, reason and type")
    func warnings() async throws {
        var b = WorkflowBuilder(name: "drops", start: "a")
        b.add("a") { Scripted { _, c in
            c.send("to nowhere", to: "ghost")          // unknown target
            c.send(["n": 1], to: "leaf")                 // known executor, but no edge a -> leaf
            c.send(42)                                   // every condition false
            c.send("explode")                            // condition throws
        } }
        b.add("b") { Scripted { _, c in c.send("dead end") } }
        b.add("leaf") { output() }
        b.addEdge(from: "a", to: "b", when: EdgeCondition("message == 'go'") { m, _ in
            if m == "explode" { throw Boom() }
            return m == "go"
        })
        b.addEdge(from: "a", to: "leaf", when: EdgeCondition("never") { _, _ in false })
        let instance = makeInstance(try b.build(), store: nil)
        let handle = try await instance.start(nil)
        let events = try await collect(handle.events) { _ in false }
        let warnings = events.compactMap { e -> (String?, String, String?)? in
            if case .warning(let executor, let reason, let type) = e.body { return (executor, reason, type) }
            return nil
        }
        #expect(warnings.count == 5)
        #expect(warnings.allSatisfy { $0.0 == "a" })
        #expect(warnings[0].1 == "'a' sent a message to 'ghost', which is not an executor of workflow 'drops'")
        #expect(warnings[0].2 == "string")
        #expect(warnings[1].1 == "no edge from 'a' to 'leaf' accepted the message")
        #expect(warnings[1].2 == "object")
        #expect(warnings[2].1 == "no outgoing edge of 'a' accepted the message (every condition was false)")
        #expect(warnings[2].2 == "number")
        #expect(warnings[3].1 == "condition 'message == 'go'' on edge a->b failed: boom")
        #expect(warnings[4].1 == "no outgoing edge of 'a' accepted the message (every condition was false)")
        #expect(try await handle.result().status == .idle)
        _ = try await instance.run(nil)
    }

    @Test("a message from an executor without outgoing edges and a bad selection are warnings")
    func moreWarnings() async throws {
        var b = WorkflowBuilder(name: "drops2", start: "a")
        b.add("a") { Scripted { _, c in c.send("x") } }
        b.add("b") { Scripted { _, c in c.send("lost") } }
        b.add("c") { Scripted { _, _ in } }
        b.addFanOut(from: "a", to: ["b", "c"], select: EdgeSelection("pick") { _, _, _ in ["b", "nobody"] })
        let instance = makeInstance(try b.build(), store: nil)
        let handle = try await instance.start(nil)
        let reasons = try await collect(handle.events) { _ in false }.compactMap(\.warningReason)
        #expect(reasons == ["selection 'pick' on edge a->[b,c] picked 'nobody', which is not one of its targets",
                            "'b' sent a message but has no outgoing edges"])
    }

    @Test("outputs from executors that are not designated outputs become warnings")
    func designatedOutputs() async throws {
        var b = WorkflowBuilder(name: "designated", start: "a")
        b.outputExecutors = ["b"]
        b.add("a") { Scripted { m, c in c.yieldOutput("from a"); c.send(m) } }
        b.add("b") { output() }
        b.addEdge(from: "a", to: "b")
        let instance = makeInstance(try b.build(), store: nil)
        let handle = try await instance.start("x")
        let events = try await collect(handle.events) { _ in false }
        #expect(try await handle.result().outputs == ["x"])
        #expect(events.compactMap(\.warningReason) == ["executor 'a' yielded an output but is not one of the workflow's outputs"])
    }

    @Test("events stream live during a superstep, before it ends", .timeLimit(.minutes(3)))
    func liveEvents() async throws {
        let gate = Gate()
        var b = WorkflowBuilder(name: "live", start: "slow")
        b.add("slow") { Scripted(inline: false) { _, c in
            c.emit("waiting", data: ["for": "the test"])
            try await gate.wait()  // opened only after the test saw the event
            c.yieldOutput("done")
        } }
        let instance = makeInstance(try b.build())
        let stream = try await instance.subscribe()
        let handle = try await instance.start(nil)
        let seen = try await collect(stream) { e in
            if case .custom(_, "waiting", _) = e.body { return true }
            return false
        }
        #expect(!seen.contains { $0.kind == .superstepCompleted })
        // What was streamed is already in the log.
        let logged = try await instance.events(afterSeq: 0)
        #expect(logged.map(\.seq).starts(with: seen.map(\.seq)))
        gate.open()
        #expect(try await handle.result().outputs == ["done"])
    }

    @Test("the inline path and the task-group path produce the same run")
    func inlineEqualsConcurrent() async throws {
        func trace(inline: Bool) async throws -> [String] {
            var b = WorkflowBuilder(name: "same", start: "a")
            b.add("a") { Scripted(inline: inline) { m, c in c.setState("a", m); c.emit("note"); c.send(.number(m.doubleValue! * 2)) } }
            b.add("b") { Scripted(inline: inline) { m, c in c.yieldOutput(m) } }
            b.addEdge(from: "a", to: "b")
            let handle = try await makeInstance(try b.build(), store: nil).start(3)
            let events = try await collect(handle.events) { _ in false }
            return events.map { event in
                var json = event.json
                if case .object(var o) = json { o["time"] = nil; o["runId"] = nil; json = .object(o) }
                return json.serialized()
            }
        }
        let inline = try await trace(inline: true)
        let concurrent = try await trace(inline: false)
        #expect(inline == concurrent)
        #expect(inline.count == 13)
    }

    @Test("the run's status comes from the pending set: answering one of two requests leaves it pending")
    func statusFromPendingSet() async throws {
        var b = WorkflowBuilder(name: "two-asks", start: "ask")
        b.add("ask") { Scripted(onResponse: { _, _, _ in }) { _, c in
            c.requestInfo("first?")
            c.requestInfo("second?")
        } }
        let instance = makeInstance(try b.build())
        let first = try await instance.run(nil)
        #expect(first.status == .idleWithPendingRequests)
        #expect(first.pendingRequests.count == 2)
        let outcome = try await instance.respond(to: first.pendingRequests[0].id, with: true)
        let second = try await instance.result(of: outcome.runID)
        #expect(second.status == .idleWithPendingRequests)
        #expect(second.pendingRequests.map(\.id) == [first.pendingRequests[1].id])
        let third = try await instance.result(of: try await instance.respond(to: first.pendingRequests[1].id, with: false).runID)
        #expect(third.status == .idle)
    }

    @Test("an executor failure fails the run, discards the superstep's writes and executor changes")
    func failureDiscards() async throws {
        var b = WorkflowBuilder(name: "fails", start: "start")
        b.add("start") { Scripted { _, c in c.send("go") } }
        b.add("counter") { Counter() }
        b.add("writer") { Scripted { _, c in c.setState("written", true) } }
        b.add("bomb") { Scripted { _, _ in throw Boom() } }
        b.addFanOut(from: "start", to: ["counter", "writer", "bomb"])
        let instance = makeInstance(try b.build())
        let handle = try await instance.start(nil)
        let events = try await collect(handle.events) { _ in false }
        let result = try await handle.result()
        #expect(result.status == .failed)
        #expect(result.error?.code == .executorFailed)
        #expect(result.error?.message == "executor 'bomb' failed in superstep 2: boom")
        #expect(await instance.sharedState["written"] == nil)
        #expect(try await instance.executorSnapshot("counter") == ["seen": 0])
        #expect(await instance.superstep == 1)
        let kinds = events.map(\.kind)
        #expect(Array(kinds.suffix(2)) == [.runFailed, .status])
        #expect(events.contains { if case .executorFailed("bomb", 2, "boom") = $0.body { true } else { false } })
    }
}

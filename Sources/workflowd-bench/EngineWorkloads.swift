import WorkflowEngine

enum EngineWorkloads {
    static let reps = 7

    static func chainWorkflow(length: Int) throws -> Workflow {
        var builder = WorkflowBuilder(name: "chain\(length)", start: "s000")
        builder.maxSupersteps = length + 1
        for index in 0..<length {
            builder.addExecutor(id(index), kind: "increment") { Increment() }
            if index > 0 { builder.addEdge(from: id(index - 1), to: id(index)) }
        }
        builder.addExecutor("out", kind: "output") { Output() }
        builder.addEdge(from: id(length - 1), to: "out")
        return try builder.build()
    }

    static func id(_ index: Int) -> String {
        let text = String(index)
        return "s" + String(repeating: "0", count: max(0, 3 - text.count)) + text
    }

    /// 100 executors in a line, +1 each (plus an output), no checkpoints: µs per superstep.
    static func chain100() async throws -> Report {
        let instance = WorkflowInstance(name: "chain100", workflow: try chainWorkflow(length: 100))
        let runsPerRep = 200
        _ = try await instance.run(0)  // warm up
        var samples: [Double] = []
        for _ in 0..<reps {
            let start = nowMicros()
            var supersteps = 0
            for _ in 0..<runsPerRep {
                let result = try await instance.run(0)
                precondition(result.outputs == [100], "chain100 produced \(result.outputs)")
                supersteps += result.supersteps
            }
            samples.append((nowMicros() - start) / Double(supersteps))
        }
        return Report(unit: "superstep", samples: samples)
    }

    /// A one-executor workflow: µs from start to result, in-process (the engine's share of the
    /// daemon's "trivial run start→result" target).
    static func trivialRun() async throws -> Report {
        var builder = WorkflowBuilder(name: "trivial", start: "out")
        builder.addExecutor("out", kind: "output") { Output() }
        let instance = WorkflowInstance(name: "trivial", workflow: try builder.build())
        _ = try await instance.run(1)
        var samples: [Double] = []
        for _ in 0..<reps {
            let start = nowMicros()
            for _ in 0..<2000 { _ = try await instance.run(1) }
            samples.append((nowMicros() - start) / 2000)
        }
        return Report(unit: "run", samples: samples)
    }

    /// 1 → 100 → join: µs per branch (the 100 branches run concurrently in one superstep).
    static func fanout100() async throws -> Report {
        var builder = WorkflowBuilder(name: "fanout100", start: "source")
        builder.addExecutor("source", kind: "increment") { Increment() }
        let branches = (0..<100).map { "b" + id($0) }
        for branch in branches { builder.addExecutor(branch, kind: "increment") { Increment() } }
        builder.addFanOut(from: "source", to: branches)
        builder.addExecutor("join", kind: "output") { Output() }
        builder.addFanIn(from: branches, to: "join")
        let instance = WorkflowInstance(name: "fanout100", workflow: try builder.build())
        _ = try await instance.run(0)
        var samples: [Double] = []
        let runsPerRep = 50
        for _ in 0..<reps {
            let start = nowMicros()
            for _ in 0..<runsPerRep {
                let result = try await instance.run(0)
                precondition(result.outputs.first?.arrayValue?.count == 100, "fanout100 produced \(result.outputs)")
            }
            samples.append((nowMicros() - start) / Double(runsPerRep * branches.count))
        }
        return Report(unit: "branch", samples: samples)
    }

    /// A self-loop for 10,000 supersteps: µs per superstep.
    static func loop10k() async throws -> Report {
        var builder = WorkflowBuilder(name: "loop10k", start: "loop")
        builder.maxSupersteps = 10_001
        builder.addExecutor("loop", kind: "loop", config: 10_000) { Loop(limit: 10_000) }
        builder.addEdge(from: "loop", to: "loop")
        let instance = WorkflowInstance(name: "loop10k", workflow: try builder.build())
        _ = try await instance.run(0)
        var samples: [Double] = []
        for _ in 0..<reps {
            let start = nowMicros()
            let result = try await instance.run(0)
            precondition(result.outputs == [10_000] && result.supersteps == 10_000, "loop10k produced \(result.outputs)")
            samples.append((nowMicros() - start) / Double(result.supersteps))
        }
        return Report(unit: "superstep", samples: samples)
    }

    /// 1,000 request/response round trips on one instance (each response starts a continuation
    /// run): µs per round trip, in-process.
    static func hitl1k() async throws -> Report {
        var builder = WorkflowBuilder(name: "hitl1k", start: "ask")
        builder.addExecutor("ask", kind: "asker", config: 1000) { Asker(rounds: 1000) }
        let workflow = try builder.build()
        var samples: [Double] = []
        for rep in 0..<reps {
            let instance = WorkflowInstance(name: "hitl1k-\(rep)", workflow: workflow)
            _ = try await instance.run(0)
            let start = nowMicros()
            for round in 1...1000 {
                guard let request = await instance.pendingRequests.first else { fatalError("no request in round \(round)") }
                let outcome = try await instance.respond(to: request.id, with: 1)
                _ = try await instance.result(of: outcome.runID)
            }
            samples.append((nowMicros() - start) / 1000)
            let open = await instance.pendingRequests
            precondition(open.isEmpty, "hitl1k left \(open.count) open request(s)")
        }
        return Report(unit: "roundtrip", samples: samples)
    }

    /// chain100 with a checkpoint after every superstep in the in-memory store (which serializes
    /// each one): µs per checkpoint, including its superstep. `first_us`/`last_us` compare the
    /// first and last repetition after a long history, to show the cost does not grow with it.
    static func checkpointChain100() async throws -> Report {
        let store = InMemoryCheckpointStore(keepsEvents: false)
        let instance = WorkflowInstance(name: "checkpoint_chain100", workflow: try chainWorkflow(length: 100),
                                        configuration: .init(store: store))
        _ = try await instance.run(0)
        var samples: [Double] = []
        let runsPerRep = 20
        for _ in 0..<reps {
            let before = try await instance.checkpoints().count
            let start = nowMicros()
            for _ in 0..<runsPerRep { _ = try await instance.run(0) }
            let elapsed = nowMicros() - start
            let written = try await instance.checkpoints().count - before
            samples.append(elapsed / Double(written))
        }
        return Report(unit: "checkpoint", samples: samples, extra: [
            ("first_us", format(samples.first ?? 0)), ("last_us", format(samples.last ?? 0)),
            ("history", String(try await instance.checkpoints().count)),
        ])
    }

    /// 10,000 idle chain100 instances, each run once: µs to create and run one, and the RSS
    /// growth per instance. Every repetition's instances stay alive, so each one's growth is
    /// new memory (freed memory would be reused and hide the cost).
    static func instances10k() async throws -> Report {
        let workflow = try chainWorkflow(length: 100)
        var samples: [Double] = []
        var kibPerInstance: [Double] = []
        var kept: [[WorkflowInstance]] = []
        for rep in 0..<3 {
            let before = residentKiB()
            var instances: [WorkflowInstance] = []
            instances.reserveCapacity(10_000)
            let start = nowMicros()
            for index in 0..<10_000 {
                let instance = WorkflowInstance(name: "i\(rep)-\(index)", workflow: workflow)
                _ = try await instance.run(0)
                instances.append(instance)
            }
            samples.append((nowMicros() - start) / 10_000)
            kibPerInstance.append((residentKiB() - before) / 10_000)
            precondition(instances.count == 10_000)
            kept.append(instances)
        }
        precondition(kept.count == 3)
        let sorted = kibPerInstance.sorted()
        return Report(unit: "instance", samples: samples, extra: [("kib_per_instance", format(sorted[sorted.count / 2]))])
    }
}

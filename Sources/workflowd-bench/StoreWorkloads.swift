#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WorkflowEngine
import WorkflowStore

/// The SQLite store's workloads, each in both durability settings: chain100 with a checkpoint
/// after every superstep (µs per checkpoint, its superstep and events included), single-event
/// commits (µs per event, one transaction each), and a superstep-shaped batch without the engine.
enum StoreWorkloads {
    static let reps = 7

    static func temporaryDatabase() -> (directory: String, path: String) {
        var template = Array("/tmp/workflowd-bench-XXXXXX".utf8CString)
        let directory = template.withUnsafeMutableBufferPointer { buffer in String(cString: mkdtemp(buffer.baseAddress!)) }
        return (directory, directory + "/workflowd.sqlite")
    }

    static func remove(_ directory: String) {
        for suffix in ["", "-wal", "-shm"] { unlink(directory + "/workflowd.sqlite" + suffix) }
        rmdir(directory)
    }

    static func checkpointChain100(_ durability: StoreConfiguration.Durability) async throws -> Report {
        let (directory, path) = temporaryDatabase()
        defer { remove(directory) }
        let store = try SQLiteStore(path: path, configuration: .init(durability: durability))
        return try await checkpointChain100(store, runsPerRep: durability == .full ? 2 : 10, extra: [("durability", durability.rawValue)])
    }

    /// checkpoint_chain100 on PostgreSQL (durability as the server's: synchronous commit).
    static func checkpointChain100Postgres() async throws -> Report {
        let store = try await PostgresStore.open(try PostgresLocation(parsing: try await PostgresWorkloads.database()))
        defer { store.close() }
        return try await checkpointChain100(store, runsPerRep: 3, extra: [])
    }

    /// chain100 with a checkpoint after every superstep through `store`: µs per checkpoint.
    static func checkpointChain100(_ store: any InstanceStore, runsPerRep: Int, extra: [(String, String)]) async throws -> Report {
        let workflow = try EngineWorkloads.chainWorkflow(length: 100)
        try await store.createInstance(InstanceRecord(name: "chain", definition: workflow.name, definitionHash: workflow.graphHash, createdAt: Timestamp.now()))
        let instance = WorkflowInstance(name: "chain", workflow: workflow, configuration: .init(store: store))
        _ = try await instance.run(0)
        var samples: [Double] = []
        for _ in 0..<reps {
            let start = nowMicros()
            var checkpoints = 0
            for _ in 0..<runsPerRep {
                let result = try await instance.run(0)
                checkpoints += result.supersteps + 1
            }
            samples.append((nowMicros() - start) / Double(checkpoints))
        }
        await instance.shutdown()
        return Report(unit: "checkpoint", samples: samples, extra: extra)
    }

    /// A conversation of 1,024 messages of about 1 KiB each in shared state (about 1 MiB), and a
    /// loop of 100 supersteps that changes one small key per superstep: µs per checkpoint. A store
    /// that writes what changed pays for the counter, not for the conversation.
    static func checkpointBigState() async throws -> Report {
        let (directory, path) = temporaryDatabase()
        defer { remove(directory) }
        let store = try SQLiteStore(path: path, configuration: .init(durability: .normal))
        let workflow = try bigStateWorkflow(supersteps: 100)
        try await store.createInstance(InstanceRecord(name: "big", definition: workflow.name, definitionHash: workflow.graphHash, createdAt: Timestamp.now()))
        let instance = WorkflowInstance(name: "big", workflow: workflow, configuration: .init(store: store))
        _ = try await instance.run(0)
        let stateBytes = await instance.sharedState["conversation"].map { $0.serialized().utf8.count } ?? 0
        var samples: [Double] = []
        for _ in 0..<reps {
            let start = nowMicros()
            var checkpoints = 0
            for _ in 0..<5 {
                let result = try await instance.run(0)
                checkpoints += result.supersteps + 1
            }
            samples.append((nowMicros() - start) / Double(checkpoints))
        }
        let size = try await store.pageCount() * 4096
        return Report(unit: "checkpoint", samples: samples,
                      extra: [("state_bytes", String(stateBytes)), ("db_mib", format(Double(size) / 1_048_576))])
    }

    static func bigStateWorkflow(supersteps: Int) throws -> Workflow {
        var builder = WorkflowBuilder(name: "bigstate", start: "seed")
        builder.maxSupersteps = supersteps + 2
        builder.addExecutor("seed", kind: "seed") { SeedConversation() }
        builder.addExecutor("tick", kind: "tick") { Tick(limit: Double(supersteps)) }
        builder.addEdge(from: "seed", to: "tick")
        builder.addEdge(from: "tick", to: "tick")
        return try builder.build()
    }

    /// One superstep-shaped batch (5 events and a checkpoint) committed straight to the store,
    /// without the engine: what the database alone costs per superstep (`build_us`: making the batch).
    static func batchCommit() async throws -> Report {
        let (directory, path) = temporaryDatabase()
        defer { remove(directory) }
        let store = try SQLiteStore(path: path, configuration: .init())
        try await store.createInstance(InstanceRecord(name: "b", definition: "none", definitionHash: "none", createdAt: Timestamp.now()))
        var seq: UInt64 = 0
        var parent: String? = nil
        var samples: [Double] = []
        var serializeTime = 0.0
        for _ in 0..<reps {
            let start = nowMicros()
            for n in 0..<500 {
                let t0 = nowMicros()
                var events: [WorkflowEvent] = []
                for _ in 0..<5 {
                    seq += 1
                    events.append(WorkflowEvent(seq: seq, time: Timestamp.now(), instance: "b", runID: "r-bench",
                                                body: .executorCompleted(executor: "s001", superstep: n)))
                }
                let id = Identifier.make("c")
                let checkpoint = Checkpoint(id: id, parentID: parent, instance: "b", workflowName: "w", definitionHash: "h", runID: "r",
                                            reason: .superstep, superstep: n, time: Timestamp.now(), status: .inProgress, sharedState: [:],
                                            executorStates: [:], edgeStates: [:], messages: [.init(source: "a", target: "b", payload: 1, request: nil)],
                                            pendingRequests: [])
                parent = id
                serializeTime += nowMicros() - t0
                try await store.commit(StoreBatch(instance: "b", events: events, checkpoint: checkpoint, status: .inProgress))
            }
            samples.append((nowMicros() - start) / 500)
        }
        return Report(unit: "batch", samples: samples, extra: [("build_us", format(serializeTime / Double(reps * 500)))])
    }

    static func eventAppend(_ durability: StoreConfiguration.Durability) async throws -> Report {
        let (directory, path) = temporaryDatabase()
        defer { remove(directory) }
        let store = try SQLiteStore(path: path, configuration: .init(durability: durability))
        try await store.createInstance(InstanceRecord(name: "events", definition: "none", definitionHash: "none", createdAt: Timestamp.now()))
        var seq: UInt64 = 0
        var samples: [Double] = []
        let perRep = durability == .full ? 50 : 2_000
        for _ in 0..<reps {
            let start = nowMicros()
            for _ in 0..<perRep {
                seq += 1
                let event = WorkflowEvent(seq: seq, time: Timestamp.now(), instance: "events", runID: "r-bench",
                                          body: .custom(executor: "bench", name: "tick", data: ["n": .number(Double(seq))]))
                try await store.commit(StoreBatch(instance: "events", events: [event]))
            }
            samples.append((nowMicros() - start) / Double(perRep))
        }
        return Report(unit: "event", samples: samples, extra: [("durability", durability.rawValue)])
    }
}

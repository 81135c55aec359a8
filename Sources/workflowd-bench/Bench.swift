#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WorkflowEngine
import WorkflowStore
import WorkflowTestSupport

/// `swift run -c release --static-swift-stdlib workflowd-bench [--workload-timeout SECONDS] [WORKLOAD...]`: runs the
/// reference workloads of the README's Performance section and prints one line per workload:
/// `workload=chain100 unit=superstep median_us=1.7 min_us=1.5 max_us=2.4 reps=7`
///
/// Nothing waits for ever: a workload that has not finished within the timeout (default 900 s)
/// ends the benchmark with exit status 1, naming it, and every daemon it started is killed.
@main
struct Bench {
    typealias Workload = (name: String, run: @Sendable () async throws -> Report)

    static let workloads: [Workload] = {
        var all: [Workload] = engineWorkloads
        let condition: @Sendable () async throws -> Report = { try JMESPathWorkloads.condition() }
        all.append(("jmespath_condition", condition))
        let response: @Sendable () async throws -> Report = { try JMESPathWorkloads.schemaResponse() }
        all.append(("jsonschema_response", response))
        all.append(contentsOf: JMESPathWorkloads.suiteWorkloads())
        return all
    }()

    static let engineWorkloads: [(name: String, run: @Sendable () async throws -> Report)] = [
        ("chain100", EngineWorkloads.chain100),
        ("fanout100", EngineWorkloads.fanout100),
        ("loop10k", EngineWorkloads.loop10k),
        ("hitl1k", EngineWorkloads.hitl1k),
        ("checkpoint_chain100", EngineWorkloads.checkpointChain100),
        ("instances10k", EngineWorkloads.instances10k),
        ("trivial_run", EngineWorkloads.trivialRun),
        ("exec_message", { try await DefinitionWorkloads.execMessage() }),
        ("worker_message", { try await DefinitionWorkloads.workerMessage() }),
        ("subworkflow_worker_message", { try await DefinitionWorkloads.subworkflowWorkerMessage() }),
        ("checkpoint_chain100_sqlite", { try await StoreWorkloads.checkpointChain100(.normal) }),
        ("checkpoint_bigstate", { try await StoreWorkloads.checkpointBigState() }),
        ("checkpoint_chain100_sqlite_full", { try await StoreWorkloads.checkpointChain100(.full) }),
        ("event_append", { try await StoreWorkloads.eventAppend(.normal) }),
        ("superstep_commit_sqlite", { try await StoreWorkloads.batchCommit() }),
        ("event_append_full", { try await StoreWorkloads.eventAppend(.full) }),
        // What the machine allows for one durable request (a socket round trip, a commit).
        ("floor", { try await SocketWorkloads.offPool(Floor.run) }),
        // Through the real daemon on a socket (workflowd must be built beside this binary).
        ("run_latency", { try await SocketWorkloads.offPool { try SocketWorkloads.runLatency() } }),
        // The same with tracing on (DESIGN §11: within 10% of run_latency), spans sent to a sink.
        ("run_latency_traced", {
            try await SocketWorkloads.offPool {
                let sink = try HTTPSink()
                var report = try SocketWorkloads.runLatency(daemonArguments: ["--otlp-endpoint", "http://127.0.0.1:\(sink.port)"])
                // Batches go out every second: the first has come once the sink has bytes.
                for _ in 0..<300 where sink.bytes == 0 { usleep(10_000) }
                guard sink.bytes > 0 else { throw BenchFailure(description: "run_latency_traced: no span reached the sink within 3 s") }
                report.extra.append(("exported_kib", String(sink.bytes / 1024)))
                return report
            }
        }),
        // Tracing's cost as a ratio, traced against untraced daemons at the same time (×100).
        ("run_latency_traced_ratio", {
            try await SocketWorkloads.offPool {
                let sink = try HTTPSink()
                return try SocketWorkloads.runLatencyTracedRatio(sinkPort: sink.port)
            }
        }),
        // What one span costs the process that makes and exports it (no daemon; CPU per span).
        ("span_cost", { try await SpanCost.run() }),
        ("run_latency_8", { try await SocketWorkloads.offPool { try SocketWorkloads.runLatencyConcurrent(clients: 8) } }),
        ("run_latency_64", { try await SocketWorkloads.offPool { try SocketWorkloads.runLatencyConcurrent(clients: 64) } }),
        ("hitl1k_socket", { try await SocketWorkloads.offPool { try SocketWorkloads.hitl1kSocket() } }),
        ("instances10k_daemon", { try await SocketWorkloads.offPool(SocketWorkloads.instances10kDaemon) }),
        ("cold_start", { try await SocketWorkloads.offPool(SocketWorkloads.coldStart) }),
        ("slow_readers", { try await SocketWorkloads.offPool(SlowReaders.run) }),
        ("instances1m_store", { try await SocketWorkloads.offPool { try MillionInstances.run(waits: false) } }),
        // Time (DESIGN §10): lateness of 10,000 fires; start-up and memory with 1,000,000 stored waits.
        ("timers10k", { try await SocketWorkloads.offPool { try TimerWorkloads.timers10k() } }),
        ("timers10k_loaded", { try await SocketWorkloads.offPool { try TimerWorkloads.timers10k(arguments: ["--max-loaded-instances", "20000"]) } }),
        ("timers1m_store", { try await SocketWorkloads.offPool { try MillionInstances.run(waits: true) } }),
        // PostgreSQL (DESIGN §12): the same workloads with the state in a PostgreSQL 15 server the
        // bench starts (durable settings, a Unix socket; Contrib/dev/packages test installs it).
        ("checkpoint_chain100_pg", { try await StoreWorkloads.checkpointChain100Postgres() }),
        ("run_latency_pg", {
            let database = try await PostgresWorkloads.database()
            return try await SocketWorkloads.offPool { try SocketWorkloads.runLatency(daemonArguments: ["--database", database]) }
        }),
        ("hitl1k_pg", {
            let database = try await PostgresWorkloads.database()
            return try await SocketWorkloads.offPool { try SocketWorkloads.hitl1kSocket(daemonArguments: ["--database", database]) }
        }),
        ("hitl1k_pg2", {
            let database = try await PostgresWorkloads.database()
            return try await SocketWorkloads.offPool { try SocketWorkloads.hitl1kSocket(daemonArguments: ["--database", database], hosts: 2) }
        }),
        ("takeover", { try await SocketWorkloads.takeover(database: PostgresWorkloads.database) }),
    ]

    static func main() async throws {
        var requested = Array(CommandLine.arguments.dropFirst())
        if requested.first == "--echo", requested.count == 2 { Floor.echo(requested[1]) }
        if requested.contains("--help") || requested.contains("-h") {
            print("usage: workflowd-bench [--workload-timeout SECONDS] [WORKLOAD...]\nworkloads: " + workloads.map(\.name).joined(separator: " "))
            return
        }
        var timeout = 900.0
        if let position = requested.firstIndex(of: "--workload-timeout") {
            guard position + 1 < requested.count, let seconds = Double(requested[position + 1]), seconds > 0 else {
                print("workflowd-bench: --workload-timeout takes a number of seconds above 0")
                exit(2)
            }
            timeout = seconds
            requested.removeSubrange(position...(position + 1))
        }
        let unknown = requested.filter { name in !workloads.contains { $0.name == name } }
        guard unknown.isEmpty else {
            print("workflowd-bench: unknown workload(s): \(unknown.joined(separator: ", ")); known: " + workloads.map(\.name).joined(separator: " "))
            exit(2)
        }
        for workload in workloads where requested.isEmpty || requested.contains(workload.name) {
            let watchdog = Watchdog(workload: workload.name, seconds: timeout)
            let report = try await workload.run()
            watchdog.cancel()
            print(report.line(workload: workload.name))
        }
    }
}

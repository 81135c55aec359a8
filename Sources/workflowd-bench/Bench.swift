#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WorkflowEngine
import WorkflowStore

/// `swift run -c release workflowd-bench [WORKLOAD...]`: runs the reference workloads of
/// DESIGN.md §8 and prints one line per workload:
/// `workload=chain100 unit=superstep median_us=1.7 min_us=1.5 max_us=2.4 reps=7`
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
        ("checkpoint_chain100_sqlite", { try await StoreWorkloads.checkpointChain100(.normal) }),
        ("checkpoint_chain100_sqlite_full", { try await StoreWorkloads.checkpointChain100(.full) }),
        ("event_append", { try await StoreWorkloads.eventAppend(.normal) }),
        ("superstep_commit_sqlite", { try await StoreWorkloads.batchCommit() }),
        ("event_append_full", { try await StoreWorkloads.eventAppend(.full) }),
    ]

    static func main() async throws {
        let requested = Array(CommandLine.arguments.dropFirst())
        if requested.contains("--help") || requested.contains("-h") {
            print("usage: workflowd-bench [WORKLOAD...]\nworkloads: " + workloads.map(\.name).joined(separator: " "))
            return
        }
        let unknown = requested.filter { name in !workloads.contains { $0.name == name } }
        guard unknown.isEmpty else {
            print("workflowd-bench: unknown workload(s): \(unknown.joined(separator: ", ")); known: " + workloads.map(\.name).joined(separator: " "))
            exit(2)
        }
        for workload in workloads where requested.isEmpty || requested.contains(workload.name) {
            let report = try await workload.run()
            print(report.line(workload: workload.name))
        }
    }
}

/// One workload's measurements: per-op microseconds for each repetition.
struct Report {
    var unit: String
    var samples: [Double]
    var extra: [(String, String)] = []

    func line(workload: String) -> String {
        let sorted = samples.sorted()
        let median = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        var text = "workload=\(workload) unit=\(unit) median_us=\(format(median)) min_us=\(format(sorted.first ?? 0)) max_us=\(format(sorted.last ?? 0)) reps=\(samples.count)"
        for (key, value) in extra { text += " \(key)=\(value)" }
        return text
    }
}

func format(_ value: Double) -> String {
    if value >= 100 { return String(Int(value.rounded())) }
    let scaled = (value * 100).rounded() / 100
    return "\(scaled)"
}

/// Monotonic time in microseconds.
func nowMicros() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) * 1e6 + Double(spec.tv_nsec) / 1e3
}

/// Resident set size in KiB (from /proc/self/statm).
func residentKiB() -> Double {
    guard let file = fopen("/proc/self/statm", "r") else { return 0 }
    defer { fclose(file) }
    var size = 0, resident = 0
    guard withUnsafeMutablePointer(to: &size, { s in withUnsafeMutablePointer(to: &resident) { r in fscanfStatm(file, s, r) } }) else { return 0 }
    return Double(resident) * Double(sysconf(Int32(_SC_PAGESIZE))) / 1024
}

private func fscanfStatm(_ file: UnsafeMutablePointer<FILE>, _ size: UnsafeMutablePointer<Int>, _ resident: UnsafeMutablePointer<Int>) -> Bool {
    var buffer = [CChar](repeating: 0, count: 256)
    guard fgets(&buffer, 256, file) != nil else { return false }
    let fields = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self).split(separator: " ")
    guard fields.count >= 2, let s = Int(fields[0]), let r = Int(fields[1]) else { return false }
    size.pointee = s
    resident.pointee = r
    return true
}

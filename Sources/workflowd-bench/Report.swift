#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WorkflowEngine
import WorkflowStore

/// One workload's measurements: per-op microseconds for each repetition.
struct Report {
    var unit: String
    var samples: [Double]
    var extra: [(String, String)] = []

    func line(workload: String) -> String {
        let sorted = samples.sorted()
        let median = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        // Samples are microseconds, unless the unit is a percentage.
        let suffix = unit.hasPrefix("percent") ? "" : "_us"
        var text = "workload=\(workload) unit=\(unit) median\(suffix)=\(format(median)) min\(suffix)=\(format(sorted.first ?? 0)) max\(suffix)=\(format(sorted.last ?? 0)) reps=\(samples.count)"
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

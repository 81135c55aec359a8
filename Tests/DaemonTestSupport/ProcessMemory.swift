import Foundation

/// A process's memory from /proc: resident now and its peak, in KiB.
package enum ProcessMemory {
    package static func kib(_ pid: Int32, _ field: String) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "0") ?? 0
        }
        return 0
    }

    package static func resident(_ pid: Int32) -> Int { kib(pid, "VmRSS") }
    package static func peak(_ pid: Int32) -> Int { kib(pid, "VmHWM") }
}

import Foundation
import WorkflowJSON

/// Per-thread results of a socket workload.
final class ThreadResults: @unchecked Sendable {
    private let lock = NSCondition()
    private var times: [[Double]?]
    private(set) var failure: String?
    private var done = 0
    private var firstStart = Double.infinity
    private var lastEnd = 0.0

    init(count: Int) { times = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ values: [Double]) {
        lock.lock()
        times[index] = values
        lastEnd = max(lastEnd, nowMicros())
        done += 1
        lock.broadcast()
        lock.unlock()
    }

    func fail(_ text: String) {
        lock.lock()
        failure = text
        done += 1
        lock.broadcast()
        lock.unlock()
    }

    func started(_ time: Double) {
        lock.lock()
        firstStart = min(firstStart, time)
        lock.unlock()
    }

    /// Waits for every thread; returns when the last ended.
    func waitAll() -> Double {
        lock.lock()
        while done < times.count { lock.wait() }
        defer { lock.unlock() }
        return lastEnd
    }

    var all: [Double] { lock.lock(); defer { lock.unlock() }; return times.compactMap { $0 }.flatMap { $0 } }
    /// Each thread's figures.
    var perThread: [[Double]] { lock.lock(); defer { lock.unlock() }; return times.compactMap { $0 } }
    /// From the moment every client was ready to the last one's end.
    var span: Double { lock.lock(); defer { lock.unlock() }; return lastEnd - firstStart }
}

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

    /// Runs `count` client threads. Each prepares (connects, creates its instance, warms up),
    /// calls `start` to wait until all are ready, then measures and returns its times; they all
    /// begin measuring at once. Returns once every thread has finished or failed.
    static func measure(threads count: Int,
                        _ body: @escaping @Sendable (_ index: Int, _ start: @escaping @Sendable () -> Void) throws -> [Double]) -> ThreadResults {
        let results = ThreadResults(count: count)
        let ready = DispatchSemaphoreGate(count: count)
        let go = DispatchSemaphoreGate(count: 1)
        var threads: [Thread] = []
        for index in 0..<count {
            threads.append(Thread {
                do {
                    results.set(index, try body(index) {
                        ready.arrive()
                        go.wait()
                    })
                } catch {
                    results.fail("\(error)")
                    ready.arrive()
                }
            })
        }
        for thread in threads { thread.start() }
        ready.wait()
        results.started(nowMicros())
        go.arrive()
        _ = results.waitAll()
        return results
    }

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

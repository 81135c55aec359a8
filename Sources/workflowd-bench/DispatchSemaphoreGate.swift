import Foundation
import WorkflowJSON

/// Counts threads that are ready; `wait` returns once all are.
final class DispatchSemaphoreGate: @unchecked Sendable {
    private let lock = NSCondition()
    private var arrived = 0
    private let count: Int
    init(count: Int) { self.count = count }
    func arrive() {
        lock.lock()
        arrived += 1
        lock.broadcast()
        lock.unlock()
    }
    func wait() {
        lock.lock()
        while arrived < count { lock.wait() }
        lock.unlock()
    }
}

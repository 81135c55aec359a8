import DaemonTestSupport
import Testing
import WorkflowConcurrency
import WorkflowJSON
import WorkflowTestSupport
@testable import WorkflowDaemon

/// The requests one connection may have in progress, without a socket.
@Suite("Request slots (in process)")
struct RequestSlotsTests {
    @Test("with every slot taken, the next acquire waits until one is released, and waiters go in the order they came",
          .timeLimit(.minutes(3)))
    func waitsInOrder() async throws {
        let slots = RequestSlots(2)
        await slots.acquire()
        await slots.acquire()
        let order = Locked<[Int]>([])
        let third = Task {
            await slots.acquire()
            order.withLock { $0.append(3) }
        }
        try await eventually(.seconds(30), "the third acquirer to wait") { slots.waiting == 1 }
        let fourth = Task {
            await slots.acquire()
            order.withLock { $0.append(4) }
        }
        try await eventually(.seconds(30), "the fourth acquirer to wait") { slots.waiting == 2 }
        #expect(order.withLock { $0 }.isEmpty, "a slot was granted while none was free")
        slots.release()
        await third.value
        #expect(order.withLock { $0 } == [3])
        slots.release()
        await fourth.value
        #expect(order.withLock { $0 } == [3, 4])
    }
}

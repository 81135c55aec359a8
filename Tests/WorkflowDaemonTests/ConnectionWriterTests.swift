import DaemonTestSupport
import NIOCore
import NIOEmbedded
import Testing
import WorkflowJSON
import WorkflowTestSupport
@testable import WorkflowDaemon

/// What one connection sends, without a socket: a testing channel takes the writes.
@Suite("Connection writer (in process)")
struct ConnectionWriterTests {
    @Test("events are refused past the connection's limit while responses are always taken; what is written comes out in order and is given back to the shared budget",
          .timeLimit(.minutes(3)))
    func boundsAndOrder() async throws {
        let budget = QueueBudget(limit: 1 << 20)
        let writer = ConnectionWriter(limit: 100, budget: budget)
        let event = Array(repeating: UInt8(ascii: "e"), count: 59) + [UInt8(ascii: "\n")]
        #expect(writer.sendEvent(line: event))
        #expect(!writer.sendEvent(line: event), "a second 60-byte event went past the 100-byte limit")
        writer.send(["id": 1, "result": "first"])  // a response: taken beyond the limit
        writer.send(["id": 2, "result": "second"])
        #expect(writer.queuedBytes > 100)
        #expect(budget.queued == writer.queuedBytes)

        let channel = NIOAsyncTestingChannel()
        try await channel.connect(to: try SocketAddress(unixDomainSocketPath: "/tmp/unused")).get()
        let wrapped = try await channel.testingEventLoop.executeInContext {
            try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
        }
        let running = Task {
            try await wrapped.executeThenClose { _, outbound in await writer.run(outbound) }
        }
        var written = ""
        while written.split(separator: "\n").count < 3 {
            let buffer = try await channel.waitForOutboundWrite(as: ByteBuffer.self)
            written += String(buffer: buffer)
        }
        let lines = written.split(separator: "\n").map(String.init)
        #expect(lines[0] == String(decoding: event.dropLast(), as: UTF8.self))
        #expect(try JSON(parsing: lines[1])["result"] == "first")
        #expect(try JSON(parsing: lines[2])["result"] == "second")
        try await eventually(.seconds(30), "the written bytes to be given back") { budget.queued == 0 }
        #expect(writer.queuedBytes == 0)
        // Finished: nothing more is taken, and the writer ends.
        writer.finish()
        try await running.value
        #expect(!writer.sendEvent(line: event))
        writer.send(["id": 3, "result": "late"])
        #expect(writer.queuedBytes == 0)
        #expect(budget.queued == 0)
    }

    @Test("a sender waiting for room is let go when the connection ends")
    func roomWaitEndsWithTheConnection() async throws {
        let writer = ConnectionWriter(limit: 1 << 20, budget: QueueBudget(limit: 1 << 20))
        #expect(writer.sendEvent(line: Array(repeating: UInt8(ascii: "x"), count: ConnectionWriter.roomMark + 1)))
        let waiting = Task { await writer.waitForRoom(timeout: .seconds(600)) }
        // The sender is surely waiting before the connection ends (else it would not have to be let go).
        try await eventually(.seconds(30), "the sender to wait for room") { writer.roomWaiterCount == 1 }
        writer.finish()
        #expect(await waiting.value, "the wait did not end when the connection did")
    }
}

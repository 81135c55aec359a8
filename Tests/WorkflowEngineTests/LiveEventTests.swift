import Testing
import WorkflowConcurrency
import WorkflowJSON
@testable import WorkflowEngine

/// Live-only events (a model's streamed text): delivered in their place among the logged ones,
/// never stored, taking no seq of their own.
@Suite("Live-only events")
struct LiveEventTests {
    @Test("streamed text reaches a subscriber between the events around it, in order; the store has none of it and its seqs have no gap; a subscription after any seq misses nothing logged")
    func liveEventsInOrderNotStored() async throws {
        let store = InMemoryCheckpointStore()
        var b = WorkflowBuilder(name: "talk", start: "model")
        b.addExecutor("model") { FunctionExecutor { _, context in
            context.emit("before")
            for piece in ["Hel", "lo", "!"] {
                context.streamModelText(piece)
                try await Task.sleep(for: .milliseconds(5))  // the flusher publishes between pieces
            }
            context.recordModelMessage(["content": "Hello!"])
            context.emit("after")
        } }
        let instance = WorkflowInstance(name: "i", workflow: try b.build(), configuration: .init(store: store))
        let live = try await instance.subscribe()
        async let seen: [WorkflowEvent] = {
            var events: [WorkflowEvent] = []
            for try await event in live {
                events.append(event)
                if event.statusValue == .idle { break }
            }
            return events
        }()
        #expect(try await instance.start(nil).result().status == .idle)
        let events = try await seen
        let names = events.compactMap { event -> String? in
            switch event.body {
            case .custom(_, let name, _): name
            case .llmDelta(_, let content): "delta:" + content
            case .llmMessage: "message"
            default: nil
            }
        }
        #expect(names == ["before", "delta:Hel", "delta:lo", "delta:!", "message", "after"])
        let deltas = events.filter(\.isLive)
        #expect(deltas.allSatisfy { $0.json["live"] == true })
        // Each delta carries the seq of the logged event before it.
        for delta in deltas {
            let before = events[..<events.firstIndex(of: delta)!].last { !$0.isLive }
            #expect(delta.seq == before?.seq)
        }
        let stored = try await store.events(instance: "i", afterSeq: 0, limit: 1_000)
        #expect(!stored.contains { $0.isLive })
        #expect(stored.map(\.seq) == Array(1...UInt64(stored.count)))
        #expect(stored.map(\.seq) == events.filter { !$0.isLive }.map(\.seq))
        // Resuming after the seq a delta carried gives what was logged after it, nothing twice.
        let resumeAt = try #require(deltas.first?.seq)
        let again = try await instance.subscribe(afterSeq: resumeAt)
        var replayed: [UInt64] = []
        for try await event in again {
            replayed.append(event.seq)
            if event.seq == (await instance.nextSeq) - 1 { break }
        }
        #expect(replayed == Array((resumeAt + 1)...stored.last!.seq))
    }
}

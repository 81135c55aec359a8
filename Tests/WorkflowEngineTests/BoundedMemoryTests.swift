import Testing
@testable import WorkflowEngine

/// A daemon holds instances for months: subscriptions, replay, idempotency keys and run history
/// are bounded, and a subscriber too slow for its buffer loses only its subscription.
@Suite("Bounded memory: subscriptions, replay, keys, run history")
struct BoundedMemoryTests {
    /// A self-loop of `count` inline supersteps (4-5 events each).
    static func loop(_ count: Int) throws -> Workflow {
        var b = WorkflowBuilder(name: "loop", start: "loop")
        b.maxSupersteps = count + 1
        b.add("loop") { Scripted { m, c in
            let n = (m.doubleValue ?? 0) + 1
            if n < Double(count) { c.send(.number(n)) } else { c.yieldOutput(.number(n)) }
        } }
        b.addEdge(from: "loop", to: "loop")
        return try b.build()
    }

    @Test("a subscriber that never reads overflows and is dropped; the instance and other subscribers go on")
    func slowSubscriberOverflows() async throws {
        let instance = WorkflowInstance(name: "b", workflow: try Self.loop(500),
                                        configuration: .init(store: InMemoryCheckpointStore(), subscriptionBufferLimit: 100))
        let slow = try await instance.subscribe()
        let reader = try await instance.subscribe(bufferLimit: 100_000)
        #expect(await instance.subscriberCount == 2)
        async let read: Int = {
            var count = 0
            for try await event in reader {
                count += 1
                if event.statusValue == .idle { break }
            }
            return count
        }()
        let result = try await instance.start(0).result()
        #expect(result.status == .idle)
        #expect(try await read > 500)
        // The slow one held at most 100 events, then was dropped: reading tells it so, with the
        // last seq it had (none), so it can resubscribe after it.
        var iterator = slow.makeAsyncIterator()
        await #expect(throws: SubscriptionOverflow(lastSeq: 0, limit: 100)) { _ = try await iterator.next() }
        #expect(await instance.subscriberCount == 1)
        // A new subscription after its last seq misses nothing: the log has it all.
        let again = try await instance.subscribe(afterSeq: 0)
        var replayed: [UInt64] = []
        for try await event in again {
            replayed.append(event.seq)
            if event.seq == (await instance.nextSeq) - 1 { break }
        }
        #expect(replayed == Array(1...UInt64(replayed.count)))
    }

    @Test("a subscription made after the head that overflows before reading reports the head as its last seq, and one after that seq gets each later event once")
    func overflowAfterHeadReportsHead() async throws {
        let instance = WorkflowInstance(name: "b", workflow: try Self.loop(500),
                                        configuration: .init(store: InMemoryCheckpointStore(), subscriptionBufferLimit: 100))
        #expect(try await instance.start(0).result().status == .idle)
        let head = await instance.nextSeq - 1
        #expect(head > 500)
        let slow = try await instance.subscribe(afterSeq: head)  // nothing to replay
        #expect(try await instance.start(0).result().status == .idle)
        var iterator = slow.makeAsyncIterator()
        await #expect(throws: SubscriptionOverflow(lastSeq: head, limit: 100)) { _ = try await iterator.next() }
        let again = try await instance.subscribe(afterSeq: head, bufferLimit: 100_000)
        var seqs: [UInt64] = []
        let last = await instance.nextSeq - 1
        for try await event in again {
            seqs.append(event.seq)
            if event.seq == last { break }
        }
        #expect(seqs == Array(head + 1...last))
    }

    @Test("a subscription buffer takes one batch of any size when empty, and overflows past its limit after that")
    func bufferBounds() async throws {
        func events(_ range: ClosedRange<Int>) -> [WorkflowEvent] {
            range.map { WorkflowEvent(seq: UInt64($0), time: 0, instance: "b", runID: "r", body: .superstepStarted(superstep: $0)) }
        }
        let buffer = SubscriptionBuffer(limit: 10)
        #expect(buffer.push(events(1...100)) == .accepted)  // a group commit's batch, into an empty buffer
        #expect(try await buffer.next()?.count == 100)
        #expect(buffer.push(events(101...105)) == .accepted)
        #expect(buffer.push(events(106...110)) == .accepted)
        #expect(buffer.push(events(111...111)) == .overflowed)  // 11 waiting: dropped, memory freed
        await #expect(throws: SubscriptionBuffer.Overflowed.self) { _ = try await buffer.next() }
        // A run's stream takes only its run's events.
        let runOnly = SubscriptionBuffer(limit: 10, runID: "other")
        #expect(runOnly.push(events(1...50)) == .accepted)
        runOnly.finish()
        #expect(try await runOnly.next() == nil)
    }

    @Test("buffers sharing a budget: one that is behind overflows once they hold the budget together, one that keeps up (a fair share waiting) never does, and what is read or dropped is given back")
    func sharedBudget() async throws {
        func events(_ range: ClosedRange<Int>) -> [WorkflowEvent] {
            range.map { WorkflowEvent(seq: UInt64($0), time: 0, instance: "b", runID: "r", body: .superstepStarted(superstep: $0)) }
        }
        let fair = SubscriptionBuffer.fairShare
        let budget = EventBudget(limit: 3 * fair)
        let behind = SubscriptionBuffer(limit: 100 * fair, budget: budget)
        let other = SubscriptionBuffer(limit: 100 * fair, budget: budget)
        let reader = SubscriptionBuffer(limit: 100 * fair, budget: budget)
        #expect(behind.push(events(1...fair)) == .accepted)
        #expect(behind.push(events(fair + 1...2 * fair)) == .accepted)
        #expect(other.push(events(1...fair)) == .accepted)
        #expect(budget.inUse == 3 * fair)
        // Its own limit is far, but the budget is spent: the one that is behind is dropped, and
        // what it held is given back at once.
        #expect(behind.push(events(2 * fair + 1...2 * fair + 1)) == .overflowed)
        #expect(budget.inUse == fair)
        // A reader with an empty buffer takes a batch of any size, and with a few waiting it
        // takes more up to a fair share, budget or not.
        #expect(reader.push(events(1...3 * fair)) == .accepted)
        #expect(try await reader.next()?.count == 3 * fair)
        #expect(reader.push(events(1...fair - 1)) == .accepted)
        #expect(budget.inUse == 2 * fair - 1)
        #expect(other.push(events(fair + 1...2 * fair + 1)) == .accepted)  // room in the budget still
        #expect(reader.push(events(fair...fair)) == .accepted)  // the fair share: taken beyond the budget
        #expect(budget.inUse == 3 * fair + 1)
        #expect(other.push(events(2 * fair + 2...2 * fair + 2)) == .overflowed)
        #expect(try await reader.next()?.count == fair - 1)
        #expect(try await reader.next()?.count == 1)
        #expect(budget.inUse == 0)
        // A buffer that goes away with events in it gives them back too.
        do {
            let abandoned = SubscriptionBuffer(limit: 1000, budget: budget)
            #expect(abandoned.push(events(1...7)) == .accepted)
            #expect(budget.inUse == 7)
        }
        #expect(budget.inUse == 0)
    }

    @Test("instances sharing a subscription budget: a subscriber that never reads is dropped at the budget, long before its own limit, and gives back what it held")
    func sharedBudgetAcrossInstances() async throws {
        let budget = EventBudget(limit: 200)
        let configuration = InstanceConfiguration(store: InMemoryCheckpointStore(), subscriptionBufferLimit: 100_000, subscriptionBudget: budget)
        let first = WorkflowInstance(name: "a", workflow: try Self.loop(500), configuration: configuration)
        let second = WorkflowInstance(name: "b", workflow: try Self.loop(10), configuration: configuration)
        let slow = try await first.subscribe()
        #expect(try await first.start(0).result().status == .idle)
        var iterator = slow.makeAsyncIterator()
        await #expect(throws: SubscriptionOverflow.self) { _ = try await iterator.next() }
        #expect(await first.subscriberCount == 0)
        #expect(budget.inUse == 0)
        // Another instance's subscriber, reading after its run, gets every event: nothing of the
        // dropped one is still counted against it.
        let later = try await second.subscribe()
        #expect(try await second.start(0).result().status == .idle)
        _ = await second.unsubscribe(later.id)
        var seqs: [UInt64] = []
        for try await event in later { seqs.append(event.seq) }
        #expect(seqs == Array(1...(await second.nextSeq - 1)))
        #expect(budget.inUse == 0)
    }

    @Test("open requests are bounded: a run that would raise one beyond the limit fails saying so, raises nothing, and answering one makes room")
    func openRequestLimit() async throws {
        var b = WorkflowBuilder(name: "ask", start: "ask")
        b.add("ask") { Scripted(onResponse: { r, _, c in c.yieldOutput(["answer": r]) }) { _, c in c.requestInfo("ok?") } }
        let instance = WorkflowInstance(name: "a", workflow: try b.build(),
                                        configuration: .init(store: InMemoryCheckpointStore(), openRequestLimit: 3))
        for n in 0..<3 {
            #expect(try await instance.start(.number(Double(n))).result().status == .idleWithPendingRequests)
        }
        let refused = try await instance.start(3).result()
        #expect(refused.status == .failed)
        #expect(refused.error?.message.contains("already has 3 open requests and may have at most 3") == true, "\(String(describing: refused.error))")
        #expect(refused.error?.details["executor"] == "ask")
        #expect(await instance.pendingRequests.count == 3)
        let oldest = try #require(await instance.pendingRequests.min { $0.time < $1.time })
        let answered = try await instance.respond(to: oldest.id, with: true)
        #expect(try await instance.result(of: answered.runID).status == .idleWithPendingRequests)
        #expect(await instance.pendingRequests.count == 2)
        #expect(try await instance.start(4).result().status == .idleWithPendingRequests)
        #expect(await instance.pendingRequests.count == 3)
    }

    @Test("unsubscribe ends a subscription after what it holds, and frees its place")
    func unsubscribe() async throws {
        let instance = WorkflowInstance(name: "b", workflow: try Self.loop(3), configuration: .init(subscriptionLimit: 1))
        let subscription = try await instance.subscribe()
        await #expect { try await instance.subscribe() } throws: { workflowError($0)?.code == .instanceBusy }
        _ = try await instance.run(0)
        #expect(await instance.unsubscribe(subscription.id))
        #expect(await !instance.unsubscribe(subscription.id))
        var count = 0
        for try await _ in subscription { count += 1 }
        #expect(count > 0)
        _ = try await instance.subscribe()
    }

    @Test("replay pages through a long log outside the actor and hands over to live events with no gap or duplicate")
    func pagedReplay() async throws {
        let store = InMemoryCheckpointStore()
        let instance = WorkflowInstance(name: "b", workflow: try Self.loop(400), configuration: .init(store: store))
        _ = try await instance.run(0)
        let logged = await instance.nextSeq - 1
        #expect(logged > UInt64(EventSubscription.pageSize * 4))
        let subscription = try await instance.subscribe(afterSeq: 10)
        #expect(subscription.missed == nil)
        #expect(subscription.liveFrom == logged + 1)
        async let read: [UInt64] = {
            var seqs: [UInt64] = []
            for try await event in subscription {
                seqs.append(event.seq)
                if event.runID != nil, event.statusValue == .idle, event.seq > logged { break }
            }
            return seqs
        }()
        _ = try await instance.run(0)  // live events follow the replay
        let seqs = try await read
        #expect(seqs.first == 11)
        #expect(seqs == Array(11...(seqs.last ?? 0)))
    }

    @Test("a subscriber whose afterSeq is older than what the log keeps is told what it missed")
    func missedEvents() async throws {
        let store = InMemoryCheckpointStore()
        let instance = WorkflowInstance(name: "b", workflow: try Self.loop(2), configuration: .init(store: store))
        _ = try await instance.run(0)
        // The log forgets its first events (as retention does).
        let all = try store.allEvents(instance: "b")
        let trimmed = InMemoryCheckpointStore()
        try await trimmed.commit(StoreBatch(instance: "b", events: Array(all.dropFirst(5))))
        let reopened = WorkflowInstance(name: "b", workflow: try Self.loop(2), configuration: .init(store: trimmed),
                                        nextSeq: all.last!.seq + 1)
        let subscription = try await reopened.subscribe(afterSeq: 2)
        #expect(subscription.missed == 3...5)
        var first: UInt64?
        for try await event in subscription {
            first = event.seq
            break
        }
        #expect(first == 6)
    }

    @Test("idempotency keys expire by count and age; run history stays bounded, keyed runs included")
    func keysAndHistory() async throws {
        let instance = WorkflowInstance(name: "b", workflow: try Self.loop(1),
                                        configuration: .init(runHistoryLimit: 5, idempotencyKeyLimit: 3, idempotencyKeyLifetime: 3600))
        var keyed: [String] = []
        for n in 0..<20 {
            let handle = try await instance.start(.number(Double(n)), idempotencyKey: "k\(n)")
            keyed.append(handle.runID)
            _ = try await handle.result()
        }
        #expect(await instance.idempotencyKeys.map(\.key) == ["k17", "k18", "k19"])
        // The newest keys still return their run; an old key starts a new one.
        #expect(try await instance.start(0, idempotencyKey: "k19").runID == keyed[19])
        let fresh = try await instance.start(0, idempotencyKey: "k0")
        #expect(fresh.runID != keyed[0] && fresh.disposition == .started)
        _ = try await fresh.result()
        // At most 5 finished runs besides those a live key names.
        var known = 0
        for id in keyed where (try? await instance.runResult(id)) != nil { known += 1 }
        #expect(known <= 5 + 3)
        await #expect { try await instance.result(of: keyed[0]) } throws: { workflowError($0)?.code == .runNotFound }
    }
}

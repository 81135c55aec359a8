import Foundation
import Testing
import WorkflowConcurrency
import WorkflowEngine
import WorkflowJSON
@testable import WorkflowStore
import WorkflowTestSupport

/// Requests passed between hosts through the database (DESIGN.md §12): each taken once, its
/// answer found by its id, withdrawn only while unanswered, and LISTEN/NOTIFY waking each side.
@Suite("Commands between hosts (PostgreSQL)", .timeLimit(.minutes(5)))
struct CommandTests {
    @Test("a command is taken once by the host it is for, with what was sent; its answer is found by its id; only an unanswered one can be withdrawn")
    func roundTrip() async throws {
        let place = try await StorePlace(.postgres)
        defer { withExtendedLifetime(place) {} }
        let a = try await place.open(StoreConfiguration(host: "a", lease: 600))
        let b = try await place.open(StoreConfiguration(host: "b", lease: 600))
        let id = try await a.sendCommand(to: "b", instance: "i", method: "request.respond", params: ["instance": "i", "response": [1, "two"]],
                                         uid: 1000, gid: 100, pid: 42, hops: 1)
        #expect(try await a.takeCommands(limit: 10).isEmpty)  // not a's
        let taken = try await b.takeCommands(limit: 10)
        #expect(taken == [StoredCommand(id: id, origin: "a", instance: "i", method: "request.respond", params: ["instance": "i", "response": [1, "two"]],
                                        uid: 1000, gid: 100, pid: 42, hops: 1)])
        #expect(try await b.takeCommands(limit: 10).isEmpty)  // taken once
        #expect(try await a.commandAnswer(id) == nil)
        try await b.answerCommand(taken[0], answer: ["result": ["ok": true]])
        #expect(try await a.commandAnswer(id) == ["result": ["ok": true]])
        #expect(try await a.withdrawCommand(id) == false)
        try await a.forgetCommand(id)
        #expect(try await a.commandAnswer(id) == nil)

        let other = try await a.sendCommand(to: "b", instance: "i", method: "instance.get", params: nil, uid: 0, gid: 0, pid: 1, hops: 1)
        #expect(try await a.withdrawCommand(other))
        #expect(try await b.takeCommands(limit: 10).isEmpty)
        #expect(try await a.isAlive(host: "b"))
        #expect(try await !a.isAlive(host: "c"))
    }

    @Test("a host hears the commands sent to it and the answers to its own, and not what is for another host")
    func notices() async throws {
        let place = try await StorePlace(.postgres)
        defer { withExtendedLifetime(place) {} }
        let a = try await place.open(StoreConfiguration(host: "a", lease: 600))
        let b = try await place.open(StoreConfiguration(host: "b", lease: 600))
        let heard = Locked<[StoreNotice]>([])
        let listening = Task { await a.listen { notice in heard.withLock { $0.append(notice) } } }
        defer { listening.cancel() }
        // The listener connects in the background: send until it hears (a notice sent before it listens is lost, as in the daemon).
        // Each wait has its own deadline, generous: under the full suite's load on two cores a
        // notice can take seconds.
        func deadline() -> ContinuousClock.Instant { .now + .seconds(30) }
        let listened = deadline()
        while heard.withLock({ $0.isEmpty }), ContinuousClock.now < listened {
            _ = try await b.sendCommand(to: "a", instance: "i", method: "m", params: nil, uid: 0, gid: 0, pid: 1, hops: 1)
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(heard.withLock { $0.first } == .commands)
        _ = try await b.sendCommand(to: "c", instance: "i", method: "m", params: nil, uid: 0, gid: 0, pid: 1, hops: 1)
        let mine = try await a.sendCommand(to: "b", instance: "i", method: "m", params: nil, uid: 0, gid: 0, pid: 1, hops: 1)
        let command = try #require(try await b.takeCommands(limit: 10).first)
        try await b.answerCommand(command, answer: ["result": 1])
        let answered = deadline()
        while !heard.withLock({ $0.contains(.answer(mine)) }), ContinuousClock.now < answered { try await Task.sleep(for: .milliseconds(20)) }
        #expect(heard.withLock { $0.filter { $0 != .commands } } == [.answer(mine)])

        // b's commits of an instance are announced only while some host watches it.
        try await b.createInstance(InstanceRecord(name: "w", definition: "d", definitionHash: "h", createdAt: 1))
        func event(_ seq: UInt64) -> StoreBatch {
            StoreBatch(instance: "w", events: [WorkflowEvent(seq: seq, time: 1, instance: "w", runID: "r", body: .custom(executor: "x", name: "n", data: .null))])
        }
        try await b.commit(event(1))
        try await a.watch(instance: "w")  // heard by every host; a store takes note when told
        b.noteWatched(instance: "w")
        try await b.commit(event(2))
        let announced = deadline()
        while !heard.withLock({ $0.contains(.events("w")) }), ContinuousClock.now < announced { try await Task.sleep(for: .milliseconds(20)) }
        #expect(heard.withLock { $0.filter { $0 == .events("w") }.count } == 1)
        #expect(heard.withLock { $0.contains(.watch("w")) })
    }

    @Test("notices are read only for their host, and only when understood")
    func noticePayloads() {
        #expect(PostgresStore.notice("a\tcommands", for: "a") == .commands)
        #expect(PostgresStore.notice("a\tanswer\t17", for: "a") == .answer(17))
        #expect(PostgresStore.notice("b\tcommands", for: "a") == nil)
        #expect(PostgresStore.notice("a\tanswer\tx", for: "a") == nil)
        #expect(PostgresStore.notice("a\tsomething", for: "a") == nil)
        #expect(PostgresStore.notice("*\tevents\tinst", for: "a") == .events("inst"))
        #expect(PostgresStore.notice("*\twatch\tinst", for: "a") == .watch("inst"))
        #expect(PostgresStore.notice("*\twatch\t", for: "a") == nil)
        #expect(PostgresStore.notice("", for: "a") == nil)
    }
}

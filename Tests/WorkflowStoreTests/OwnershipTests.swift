import Foundation
import Testing
import WorkflowConcurrency
import WorkflowEngine
@testable import WorkflowStore
import WorkflowTestSupport

/// One owner per instance when several hosts share a PostgreSQL database (DESIGN.md §12): claims,
/// the epoch that fences a host whose lease ran out, dead hosts' instances freed, a clean leave.
@Suite("Ownership across hosts (PostgreSQL)", .timeLimit(.minutes(5)))
struct OwnershipTests {
    /// Long enough that no host of these tests dies by itself, however slow the machine: a test
    /// plays a host's death by moving its heartbeat back past the lease (``die(_:in:)``).
    static let lease = 600.0

    func hosts(_ place: StorePlace) async throws -> (a: any SQLStore, b: any SQLStore) {
        (try await place.open(StoreConfiguration(host: "a", lease: Self.lease)), try await place.open(StoreConfiguration(host: "b", lease: Self.lease)))
    }

    func started(_ seq: UInt64, _ run: String) -> StoreBatch {
        StoreBatch(instance: "i", events: [WorkflowEvent(seq: seq, time: Double(seq), instance: "i", runID: run, body: .runStarted(trigger: .input, input: 1))],
                   status: .inProgress)
    }

    /// Host `host` stops beating: its last heartbeat is moved back past the lease.
    func die(_ host: String, in place: StorePlace) async throws {
        try await place.sql("UPDATE host SET heartbeatAt = heartbeatAt - \(Int(Self.lease * 2000)) WHERE id = '\(host)'")
    }

    @Test("the host that creates an instance owns it; a live host's instance is not claimed by another; once its lease runs out it is, the epoch raised, and the old owner's next commit is refused, told, and not stored")
    func fencing() async throws {
        let place = try await StorePlace(.postgres)
        defer { withExtendedLifetime(place) {} }
        let (a, b) = try await hosts(place)
        let fenced = Locked<[String]>([])
        a.observeFencing { name in fenced.withLock { $0.append(name) } }
        try await a.createInstance(InstanceRecord(name: "i", definition: "d", definitionHash: "h", createdAt: 1))
        #expect(try await a.owner(of: "i") == "a")  // created here: owned here, epoch 1
        try await a.heartbeat()
        #expect(try await b.claim(instance: "i") == .ownedElsewhere(host: "a"))
        #expect(try await b.claim(instance: "none") == .missing)
        try await a.commit(started(1, "r1"))

        try await die("a", in: place)
        #expect(try await b.claim(instance: "i") == .owned(epoch: 2))
        await #expect(throws: InstanceFenced.self) { try await a.commit(started(2, "r2")) }
        #expect(fenced.withLock { $0 } == ["i"])
        // The refused host cannot write through the group path either.
        let outcomes = try await a.commit(groups: [[started(2, "r2")]])
        #expect(outcomes.first.map { $0 is InstanceFenced } == true)
        try await b.commit(started(2, "r3"))
        #expect(try await b.events(instance: "i", afterSeq: 0, limit: 10).map(\.runID) == ["r1", "r3"])

        try await b.heartbeat()
        #expect(try await a.claim(instance: "i") == .ownedElsewhere(host: "b"))
        #expect(try await a.owner(of: "i") == "b")
        let listed = try await b.hosts()
        #expect(listed.map(\.id) == ["a", "b"])
        #expect(listed.map(\.alive) == [false, true] && listed.map(\.instances) == [0, 1])
    }

    @Test("a dead host's instances are freed under a raised epoch (its commits refused); those that need recovery are offered; a released one is claimed by the next host")
    func deadHostsInstances() async throws {
        let place = try await StorePlace(.postgres)
        defer { withExtendedLifetime(place) {} }
        let (a, b) = try await hosts(place)
        for name in ["i", "quiet"] {
            try await a.createInstance(InstanceRecord(name: name, definition: "d", definitionHash: "h", createdAt: 1))
        }
        try await a.commit(started(1, "r1"))
        try await a.heartbeat()
        #expect(try await b.unownedNeedingRecovery(limit: 10) == [])
        #expect(try await b.freeDeadHostsInstances(limit: 100) == 0)

        try await die("a", in: place)
        #expect(try await b.freeDeadHostsInstances(limit: 100) == 2)
        #expect(try await b.unownedNeedingRecovery(limit: 10) == ["i"])
        await #expect(throws: InstanceFenced.self) { try await a.commit(started(2, "r2")) }
        #expect(try await b.claim(instance: "i") == .owned(epoch: 3))
        try await b.heartbeat()
        #expect(try await a.unownedNeedingRecovery(limit: 10) == [])  // b, alive, owns it
        #expect(try await b.unownedNeedingRecovery(limit: 10) == ["i"])  // its own are offered to it (a restart under its id)

        try await b.release(instance: "i")
        #expect(try await b.owner(of: "i") == nil)
        try await a.heartbeat()
        #expect(try await a.claim(instance: "i") == .owned(epoch: 4))
    }

    @Test("a host paused in the middle of a commit does not keep its instances: the server ends its transaction once idle past its limit, and the instance is claimed")
    func pausedMidCommit() async throws {
        let place = try await StorePlace(.postgres)
        defer { withExtendedLifetime(place) {} }
        var paused = StoreConfiguration(host: "a", lease: 3)
        paused.idleTransactionLimit = .seconds(2)
        let a = try await place.open(paused)
        let b = try await place.open(StoreConfiguration(host: "b", lease: 3))
        // b owns the instance; a's transaction, idle past its limit, would hold the row's lock.
        try await b.createInstance(InstanceRecord(name: "i", definition: "d", definitionHash: "h", createdAt: 1))
        let clock = ContinuousClock()
        let holding = Locked(false)
        // a's commit takes the ownership row's lock, then its thread stops for 20 s (as SIGSTOP would).
        let pause = Task {
            try? await a.write { db in
                try db.control("BEGIN")
                _ = try db.rows("SELECT host FROM ownership WHERE instance = 'i' FOR SHARE", [])
                holding.withLock { $0 = true }
                usleep(20_000_000)
                try? db.control("COMMIT")
            }
            return clock.now
        }
        while !holding.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
        #expect(try await b.claim(instance: "i") == .owned(epoch: 2))
        let claimed = clock.now
        #expect(claimed < (await pause.value), "b claimed the instance before a's paused commit would have ended")
    }

    @Test("a host that leaves releases what it owns and its heartbeat at once: another claims without waiting for the lease")
    func leaving() async throws {
        let place = try await StorePlace(.postgres)
        defer { withExtendedLifetime(place) {} }
        let a = try await place.open(StoreConfiguration(host: "a", lease: Self.lease))
        let b = try await place.open(StoreConfiguration(host: "b", lease: Self.lease))
        try await a.createInstance(InstanceRecord(name: "i", definition: "d", definitionHash: "h", createdAt: 1))
        #expect(try await b.claim(instance: "i") == .ownedElsewhere(host: "a"))
        try await a.leave()
        #expect(try await b.hosts().map(\.id) == ["b"])
        #expect(try await b.claim(instance: "i") == .owned(epoch: 2))
    }

    @Test("a store without a host (SQLite) owns everything and has no hosts")
    func oneWriter() async throws {
        let place = try await StorePlace(.sqlite)
        defer { withExtendedLifetime(place) {} }
        let store = try await place.open()
        try await store.createInstance(InstanceRecord(name: "i", definition: "d", definitionHash: "h", createdAt: 1))
        #expect(store.hostID == nil)
        #expect(try await store.claim(instance: "i") == .owned(epoch: 0))
        #expect(try await store.hosts().isEmpty)
        #expect(try await store.owner(of: "i") == nil)
        try await store.commit(started(1, "r1"))
    }
}

import Synchronization
import Testing
@testable import WorkflowEngine

/// Whatever commit fails, the instance is back at its last committed checkpoint, the caller gets
/// an error naming the cause, and the store has no lineage hole, no seq gap and no request that
/// no event announced. One scenario touches every commit site; it is played once per commit,
/// with that commit failing.
@Suite("Store failures at every commit site")
struct StoreFailureTests {
    /// start → [ask, work]; work → burst (an inline self-loop: grouped commits); "poison" fails.
    static func workflow(gate: Gate) throws -> Workflow {
        var b = WorkflowBuilder(name: "faulty", start: "start")
        b.maxSupersteps = 100
        b.add("start") { Scripted { m, c in
            if m == "poison" { throw Boom() }
            c.setState("input", m)
            c.send(m)
        } }
        b.add("ask") { Scripted(onResponse: { r, _, c in c.setState("answer", r) }) { _, c in c.requestInfo("ok?") } }
        b.add("work") { Scripted(inline: false) { m, c in
            c.emit("working", data: m)
            if m == "gated" { try await gate.wait() }
            c.send(0)
        } }
        b.add("burst") { Scripted { m, c in
            let n = (m.doubleValue ?? 0) + 1
            c.setState("burst", .number(n))
            if n < 20 { c.send(.number(n)) }
        } }
        b.addFanOut(from: "start", to: ["ask", "work"])
        b.addEdge(from: "work", to: "burst")
        b.addEdge(from: "burst", to: "burst")
        return try b.build()
    }

    /// What a scenario saw go wrong (errors thrown, runs that failed): each must name the cause.
    final class Seen: @unchecked Sendable {
        var errors: [any Error] = []
        var failures: [WorkflowError] = []
    }

    /// Plays the scenario; every operation's failure is recorded, not thrown.
    static func play(_ store: FailingStore) async throws -> (WorkflowInstance, Seen) {
        let gate = Gate()
        let instance = WorkflowInstance(name: "f", workflow: try workflow(gate: gate),
                                        configuration: .init(store: store, onBusy: .queue))
        let seen = Seen()
        func attempt(_ body: () async throws -> RunResult?) async {
            do {
                if let result = try await body(), let error = result.error, result.status == .failed { seen.failures.append(error) }
            } catch {
                seen.errors.append(error)
            }
            await Self.checkSettled(instance, store, after: "operation \(seen.errors.count + seen.failures.count)")
        }
        // 1. A run: its start, a concurrent superstep with live events, a burst of grouped commits,
        //    its end with an open request.
        await attempt { try await instance.run("a") }
        // 2. The request answered while idle: a continuation run.
        await attempt {
            guard let request = await instance.pendingRequests.first else { return nil }
            return try await instance.result(of: try await instance.respond(to: request.id, with: true).runID)
        }
        // 3. A run whose request is answered while it goes on, and a run queued behind it.
        await attempt {
            let events = try await instance.subscribe()
            let handle: RunHandle
            do { handle = try await instance.start("gated") } catch {
                await instance.unsubscribe(events.id)
                throw error
            }
            var queued: RunHandle?
            do { queued = try await instance.start("queued") } catch { seen.errors.append(error) }
            for try await event in events where event.runID == handle.runID {
                if case .request(let request) = event.body {
                    do { _ = try await instance.respond(to: request.id, with: false) } catch { seen.errors.append(error) }
                    break
                }
                if isTerminalStatus(event) { break }
            }
            gate.open()
            await instance.unsubscribe(events.id)
            let result = try await handle.result()
            if let queued, let next = try? await queued.result(), next.status == .failed, let error = next.error { seen.failures.append(error) }
            return result
        }
        // 4. A failing run (its end is a commit of its own).
        await attempt { try await instance.run("poison") }
        // 5. A rewind to the newest checkpoint the store has.
        await attempt {
            guard let last = try await store.checkpoints(instance: "f").last else { return nil }
            return try await instance.rewind(to: last.id)?.result()
        }
        // 6. A reset.
        await attempt {
            try await instance.reset()
            return nil
        }
        return (instance, seen)
    }

    /// What must hold whenever the instance has settled (no run active).
    static func checkSettled(_ instance: WorkflowInstance, _ store: FailingStore, after step: String) async {
        do {
            guard await instance.activeRunID == nil else { return }
            #expect(await instance.durability.failure == nil, "\(step): settled, but still out of step with the store")
            let log = try store.base.allEvents(instance: "f")
            #expect(log.map(\.seq) == (0..<log.count).map { UInt64($0 + 1) }, "\(step): seqs have a gap")
            let stored = try await store.base.checkpoints(instance: "f")
            let ids = Set(stored.map(\.id))
            for checkpoint in stored {
                if let parent = checkpoint.parentID { #expect(ids.contains(parent), "\(step): checkpoint \(checkpoint.id)'s parent \(parent) was never stored") }
            }
            // Back at the last committed checkpoint (or a committed reset), never blanked.
            let head = store.base.head(instance: "f")
            #expect(await instance.lineageHead == head, "\(step): the instance's head is not the store's")
            if let head, let checkpoint = try await store.base.checkpoint(id: head) {
                #expect(await instance.sharedState == checkpoint.sharedState, "\(step): state differs from the committed checkpoint")
            }
            // Every open request was announced by an event in the log.
            let announced = Set(log.compactMap { event -> String? in
                if case .request(let request) = event.body { return request.id }
                return nil
            })
            for request in await instance.pendingRequests {
                #expect(announced.contains(request.id), "\(step): request \(request.id) is open but no event announced it")
            }
        } catch {
            Issue.record("\(step): checking failed: \(error)")
        }
    }

    @Test("the scenario, played once per commit with that commit failing", .timeLimit(.minutes(3)))
    func everyCommitSite() async throws {
        let clean = FailingStore()
        let (cleanInstance, cleanSeen) = try await Self.play(clean)
        // The poison run fails, and so does the rewind that retries it: nothing else.
        #expect(cleanSeen.errors.isEmpty && cleanSeen.failures.count == 2, "the clean scenario: \(cleanSeen.errors), \(cleanSeen.failures)")
        await cleanInstance.shutdown()
        let commits = clean.commitCount
        #expect(commits > 15, "the scenario commits only \(commits) times")
        for failing in 1...commits {
            let store = FailingStore()
            store.failCommit(number: failing)
            let (instance, seen) = try await Self.play(store)
            // (Concurrent supersteps commit their live events as they come, so a play may commit
            // a little less often than the clean one: then its last commits did not happen.)
            #expect(store.refusedCount <= 1, "commit \(failing): \(store.refusedCount) refused")
            // The failure reached someone, with its cause: an error thrown, or a run that failed.
            let causes = seen.errors.compactMap { workflowError($0) } + seen.failures.filter { $0.code == .storeFailed }
            #expect(store.refusedCount == 0 || !causes.isEmpty, "commit \(failing): nobody was told; \(seen.failures)")
            for error in seen.errors {
                let named = workflowError(error).map { $0.code == .storeFailed && $0.message.contains("disk on fire") } ?? false
                let busy = workflowError(error)?.code == .instanceBusy || workflowError(error)?.code == .requestNotFound
                #expect(named || busy, "commit \(failing): an error that does not name the cause: \(error)")
            }
            for failure in seen.failures where failure.code == .storeFailed {
                #expect(failure.message.contains("disk on fire"), "commit \(failing): \(failure.message)")
            }
            // And it carries on: a clean run works and everything holds.
            store.stopFailing()
            let after: RunResult
            do { after = try await instance.run("after") } catch {
                Issue.record("commit \(failing): the run after threw \(error); seen \(seen.errors) \(seen.failures)")
                continue
            }
            #expect(after.status == .idleWithPendingRequests, "commit \(failing): the run after ended \(after.status): \(String(describing: after.error))")
            await Self.checkSettled(instance, store, after: "commit \(failing), the run after")
            #expect(await instance.status.rawValue == store.base.status(instance: "f")?.rawValue, "commit \(failing): status")
            await instance.shutdown()
        }
    }

    @Test("a grouped commit that fails inside respond: the run ends on it, back at the last committed checkpoint",
          .timeLimit(.minutes(3)))
    func groupedCommitFailsInRespond() async throws {
        let store = FailingStore()
        var b = WorkflowBuilder(name: "group", start: "start")
        b.maxSupersteps = 100_000
        b.add("start") { Scripted { m, c in c.send(m) } }
        b.add("ask") { Scripted { _, c in c.requestInfo("ok?") } }
        b.add("loop") { Scripted { m, c in
            let n = (m.doubleValue ?? 0) + 1
            c.setState("n", .number(n))
            if n < 50_000 { c.send(.number(n)) }
        } }
        b.addFanOut(from: "start", to: ["ask", "loop"])
        b.addEdge(from: "loop", to: "loop")
        let instance = WorkflowInstance(name: "f", workflow: try b.build(), configuration: .init(store: store))
        let events = try await instance.subscribe()
        let handle = try await instance.start(0)
        var request: WorkflowRequest?
        for try await event in events {
            if case .request(let raised) = event.body {
                request = raised
                break
            }
        }
        // The commit that carries the response (and the loop's supersteps waiting for a group
        // commit) fails.
        store.failCommit { batches in batches.contains { $0.events.contains { $0.kind == .responseAccepted } } }
        await #expect {
            try await instance.respond(to: try #require(request).id, with: true)
        } throws: { error in
            workflowError(error)?.code == .storeFailed && workflowError(error)?.message.contains("disk on fire") == true
        }
        let result = try await handle.result()
        #expect(result.status == .failed)
        #expect(result.error?.message.contains("disk on fire") == true)
        #expect(result.supersteps < 50_000)
        // The end is recorded with the next commit (a short run: the loop starts near its end);
        // the state is the last committed one.
        _ = try await instance.run(49_990)
        await Self.checkSettled(instance, store, after: "respond")
        let log = try store.base.allEvents(instance: "f")
        #expect(log.contains { $0.kind == .runFailed && $0.runID == handle.runID })
    }

    @Test("a commit refused while the instance is still returning from a failed one fails with an error of its own that names the earlier failure",
          .timeLimit(.minutes(3)))
    func retryAfterFailedCommitGetsItsOwnError() async throws {
        let store = FailingStore()
        let gate = Gate()
        var b = WorkflowBuilder(name: "retry", start: "start")
        b.add("start") { Scripted { m, c in c.send(m) } }
        b.add("ask") { Scripted { _, c in c.requestInfo("ok?") } }
        b.addExecutor("hold") { FunctionExecutor { _, _ in try await gate.wait() } }
        b.addFanOut(from: "start", to: ["ask", "hold"])
        let instance = WorkflowInstance(name: "r", workflow: try b.build(), configuration: .init(store: store))
        let events = try await instance.subscribe()
        let handle = try await instance.start(0)
        var request: WorkflowRequest?
        for try await event in events {
            if case .request(let raised) = event.body {
                request = raised
                break
            }
        }
        let id = try #require(request).id
        await gate.arrived(1)  // the superstep goes on until the gate opens
        let commitsBefore = store.commitCount
        store.failCommit(number: 1)
        var first: WorkflowError?
        do { try await instance.respond(to: id, with: true) } catch { first = workflowError(error) }
        #expect(first?.code == .storeFailed)
        #expect(first?.message.contains("disk on fire") == true)
        var retry: WorkflowError?
        do { try await instance.respond(to: id, with: true) } catch { retry = workflowError(error) }
        #expect(retry?.code == .storeFailed)
        #expect(retry?.message.contains("an earlier commit failed") == true)
        #expect(retry?.message.contains("disk on fire") == true)
        #expect(retry?.message != first?.message)
        #expect(store.commitCount == commitsBefore + 1, "the retry did not reach the store")
        gate.open()
        let result = try await handle.result()
        #expect(result.status == .failed)
        #expect(result.error?.message.contains("disk on fire") == true)
    }
}

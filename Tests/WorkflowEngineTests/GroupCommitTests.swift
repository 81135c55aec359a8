import Foundation
import Testing
@testable import WorkflowEngine
import WorkflowJSON
import WorkflowTestSupport

@Suite("Group commit")
struct GroupCommitTests {
    @Test("fast supersteps share a commit; if it fails, the instance returns to its last durable checkpoint")
    func failedGroupCommit() async throws {
        let store = FailingStore()
        var b = WorkflowBuilder(name: "burst", start: "step")
        b.maxSupersteps = 1000
        b.add("step") { Scripted { m, c in
            let n = m.doubleValue! + 1
            c.setState("n", .number(n))
            if n == 40 { store.failCommits(true) }  // the store breaks in the middle of a burst
            if n < 60 { c.send(.number(n)) }
        } }
        b.addEdge(from: "step", to: "step")
        let instance = WorkflowInstance(name: "burst", workflow: try b.build(), configuration: .init(store: store))
        let ok = try await instance.run(100)  // a whole burst commits: nothing is lost
        #expect(ok.status == .idle)
        #expect(try await store.base.checkpoints(instance: "burst").count == 1 + ok.supersteps + 0)
        let result = try await instance.run(0)
        #expect(result.status == .failed)
        #expect(result.error?.code == .storeFailed)
        // What the instance holds is what the store has: the last committed checkpoint.
        let head = try #require(await instance.lineageHead)
        let durable = try #require(try await store.base.checkpoint(id: head))
        #expect(await instance.sharedState == durable.sharedState)
        #expect(await instance.superstep == durable.superstep)
        #expect((await instance.sharedState["n"]?.doubleValue ?? 0) < 40)
        store.failCommits(false)
        #expect(try await instance.run(100).status == .idle)
    }
}

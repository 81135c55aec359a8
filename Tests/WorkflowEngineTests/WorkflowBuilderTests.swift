import Testing
@testable import WorkflowEngine

@Suite("Graph validation and hashing")
struct WorkflowBuilderTests {
    func problems(_ configure: (inout WorkflowBuilder) -> Void) -> [String] {
        var builder = WorkflowBuilder(name: "g", start: "a")
        configure(&builder)
        do {
            _ = try builder.build()
            return []
        } catch {
            #expect(error.code == .invalidGraph)
            #expect(error.details["problems"]?.arrayValue?.count ?? 0 > 0)
            return error.details["problems"]?.arrayValue?.compactMap(\.stringValue) ?? []
        }
    }

    @Test("a valid graph builds")
    func valid() throws {
        #expect(problems { b in
            b.add("a") { increment() }
            b.add("b") { output() }
            b.addEdge(from: "a", to: "b")
        } == [])
    }

    @Test("unknown ids in edges and the start are named")
    func unknownIDs() {
        let found = problems { b in
            b.start = "nope"
            b.add("a") { increment() }
            b.addEdge(from: "a", to: "ghost")
        }
        #expect(found.contains("start executor 'nope' is not defined"))
        #expect(found.contains("edge 1 (a->ghost): unknown executor 'ghost'"))
    }

    @Test("executors unreachable from the start are listed")
    func unreachable() {
        let found = problems { b in
            b.add("a") { increment() }
            b.add("b") { increment() }
            b.add("island") { increment() }
            b.add("island2") { increment() }
            b.addEdge(from: "a", to: "b")
            b.addEdge(from: "island", to: "island2")
        }
        #expect(found == ["unreachable from start 'a': island, island2"])
    }

    @Test("a fan-in target is reached only if all its sources are")
    func fanInReachability() {
        let found = problems { b in
            b.add("a") { increment() }
            b.add("b") { increment() }
            b.add("orphan") { increment() }
            b.add("j") { output() }
            b.addEdge(from: "a", to: "b")
            b.addFanIn(from: ["b", "orphan"], to: "j")
        }
        #expect(found == ["unreachable from start 'a': j, orphan"])
    }

    @Test("a fan-in with fewer than two sources is refused")
    func fanInSources() {
        let found = problems { b in
            b.add("a") { increment() }
            b.add("j") { output() }
            b.addFanIn(from: ["a"], to: "j")
        }
        #expect(found.contains("edge 1 ([a]->j): a fan-in needs at least two distinct sources"))
    }

    @Test("a switch without a default is refused")
    func switchDefault() {
        let found = problems { b in
            b.add("a") { increment() }
            b.add("b") { output() }
            b.addSwitch(from: "a", cases: [SwitchCase(when: EdgeCondition("always") { _, _ in true }, to: "b")], default: nil)
        }
        #expect(found == ["edge 1 (switch:a): a switch needs a default"])
    }

    @Test("duplicate edges are refused, also across edge kinds")
    func duplicates() {
        let found = problems { b in
            b.add("a") { increment() }
            b.add("b") { output() }
            b.add("c") { output() }
            b.addEdge(from: "a", to: "b")
            b.addEdge(from: "a", to: "b")
            b.addFanOut(from: "a", to: ["b", "c"])
        }
        #expect(found == ["edge 2 (a->b): duplicate edge a -> b (already in edge 1)",
                          "edge 3 (a->[b,c]): duplicate edge a -> b (already in edge 1)"])
    }

    @Test("duplicate executor ids, empty graphs and bad limits are refused")
    func otherProblems() {
        let found = problems { b in
            b.maxSupersteps = 0
            b.add("a") { increment() }
            b.add("a") { increment() }
            b.outputExecutors = ["zzz"]
        }
        #expect(found.contains("executor 'a' is defined twice"))
        #expect(found.contains("maxSupersteps must be at least 1 (got 0)"))
        #expect(found.contains("output executor 'zzz' is not defined"))
        #expect(problems { _ in }.contains("the workflow has no executors"))
    }

    @Test("the error message lists every problem")
    func message() {
        var builder = WorkflowBuilder(name: "broken", start: "x")
        builder.add("a") { increment() }
        #expect {
            try builder.build()
        } throws: { error in
            guard let error = workflowError(error) else { return false }
            return error.message.hasPrefix("workflow 'broken' is invalid: start executor 'x' is not defined")
        }
    }

    func hash(_ configure: (inout WorkflowBuilder) -> Void) throws -> String {
        var builder = WorkflowBuilder(name: "h", start: "a")
        builder.add("a") { increment() }
        builder.add("b") { output() }
        configure(&builder)
        return try builder.build().graphHash
    }

    @Test("the graph hash changes with behaviour, not with the name or insertion order")
    func graphHash() throws {
        let base = try hash { $0.addEdge(from: "a", to: "b") }
        #expect(base.count == 64)
        #expect(try hash { $0.addEdge(from: "a", to: "b") } == base)
        #expect(try hash { $0.name = "renamed"; $0.addEdge(from: "a", to: "b") } == base)
        #expect(try hash { $0.addEdge(from: "a", to: "b", when: EdgeCondition("message.ok") { _, _ in true }) } != base)
        #expect(try hash { $0.maxSupersteps = 7; $0.addEdge(from: "a", to: "b") } != base)
        var reordered = WorkflowBuilder(name: "h", start: "a")
        reordered.add("b") { output() }
        reordered.add("a") { increment() }
        reordered.addEdge(from: "a", to: "b")
        #expect(try reordered.build().graphHash == base)
        var configured = WorkflowBuilder(name: "h", start: "a")
        configured.addExecutor("a", kind: "a", config: ["timeout": "30s"]) { increment() }
        configured.add("b") { output() }
        configured.addEdge(from: "a", to: "b")
        #expect(try configured.build().graphHash != base)
    }
}

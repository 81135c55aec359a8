import Testing
@testable import WorkflowEngine

/// Edge routing as a pure function: a workflow, a message, the committed state; no instance.
@Suite("Edge routing (EdgeRouter, docs/semantics.md §3.4)")
struct EdgeRouterTests {
    struct Routed {
        var targets: [String] = []
        var fanIn: [Int: [[JSON]]] = [:]
        var warnings: [String] = []
    }

    func route(_ workflow: Workflow, _ payload: JSON, from source: String, to target: String? = nil, state: JSONObject = [:],
               fanIn: [Int: [[JSON]]] = [:]) -> Routed {
        var inFlight: [PendingMessage] = []
        var buffers = fanIn
        var warnings: [EdgeRouter.Warning] = []
        EdgeRouter.route(.init(payload: payload, target: target), from: workflow.index(of: source)!, in: workflow, state: state,
                         inFlight: &inFlight, fanIn: &buffers, warnings: &warnings)
        return Routed(targets: inFlight.map { workflow.executorIDs[$0.target] }, fanIn: buffers, warnings: warnings.map(\.reason))
    }

    func graph(_ edges: (inout WorkflowBuilder) -> Void) throws -> Workflow {
        var b = WorkflowBuilder(name: "g", start: "a")
        for id in ["a", "b", "c", "d", "j"] { b.add(id) { Scripted { _, _ in } } }
        edges(&b)
        return try b.build()
    }

    @Test("direct edges, with and without a condition over the message and the state")
    func direct() throws {
        let workflow = try graph { b in
            b.addEdge(from: "a", to: "b")
            b.addEdge(from: "a", to: "c", when: EdgeCondition("state.go") { _, state in state["go"] == true })
            b.addFanIn(from: ["b", "c"], to: "j")
            b.addEdge(from: "a", to: "d")
        }
        #expect(route(workflow, 1, from: "a").targets == ["b", "d"])
        #expect(route(workflow, 1, from: "a", state: ["go": true]).targets == ["b", "c", "d"])
        #expect(route(workflow, 1, from: "a", to: "d").targets == ["d"])
    }

    @Test("fan-out to all or to the selected targets; a selection of a stranger is a warning")
    func fanOut() throws {
        let workflow = try graph { b in
            b.addFanOut(from: "a", to: ["b", "c", "d"], select: EdgeSelection("message.pick") { message, _, _ in
                message["pick"]?.arrayValue?.compactMap(\.stringValue) ?? []
            })
            b.addFanIn(from: ["b", "c", "d"], to: "j")
        }
        #expect(route(workflow, ["pick": ["d", "b"]], from: "a").targets == ["d", "b"])
        let stranger = route(workflow, ["pick": ["x"]], from: "a")
        #expect(stranger.targets.isEmpty)
        #expect(stranger.warnings.first?.contains("picked 'x', which is not one of its targets") == true)
    }

    @Test("a switch takes the first case that holds, else its default; a case that throws is a warning")
    func switchCases() throws {
        struct Broken: Error {}
        let workflow = try graph { b in
            b.addSwitch(from: "a", cases: [
                SwitchCase(when: EdgeCondition("broken") { message, _ in if message == "x" { throw Broken() }; return false }, to: "b"),
                SwitchCase(when: EdgeCondition("big") { message, _ in (message.doubleValue ?? 0) > 5 }, to: "c"),
            ], default: "d")
            b.addFanIn(from: ["b", "c"], to: "j")
        }
        #expect(route(workflow, 9, from: "a").targets == ["c"])
        #expect(route(workflow, 1, from: "a").targets == ["d"])
        let broken = route(workflow, "x", from: "a")
        #expect(broken.targets == ["d"])
        #expect(broken.warnings.count == 1)
    }

    @Test("fan-in fires once every source delivered, one value each in source order; extras wait")
    func fanIn() throws {
        let workflow = try graph { b in
            b.addFanOut(from: "a", to: ["b", "c"])
            b.addFanIn(from: ["b", "c"], to: "j")
            b.addEdge(from: "j", to: "d")
        }
        var step = route(workflow, 1, from: "b")
        #expect(step.targets.isEmpty && step.fanIn.values.first == [[1], []])
        step = route(workflow, 2, from: "b", fanIn: step.fanIn)
        #expect(step.fanIn.values.first == [[1, 2], []])
        step = route(workflow, 10, from: "c", fanIn: step.fanIn)
        #expect(step.targets == ["j"])
        #expect(step.fanIn.values.first == [[2], []])
    }

    @Test("nothing is dropped silently: no edge, an unknown target, conditions all false")
    func warnings() throws {
        let workflow = try graph { b in
            b.addEdge(from: "a", to: "b", when: EdgeCondition("never") { _, _ in false })
            b.addFanIn(from: ["b", "a"], to: "c")
            b.addEdge(from: "c", to: "d")
            b.addEdge(from: "d", to: "j")
        }
        #expect(route(workflow, 1, from: "j").warnings == ["'j' sent a message but has no outgoing edges"])
        #expect(route(workflow, 1, from: "a", to: "zz").warnings.first?.contains("which is not an executor") == true)
        #expect(route(workflow, 1, from: "b", to: "d").warnings == ["no edge from 'b' to 'd' accepted the message"])
        let none = route(workflow, 1, from: "d", state: [:])
        #expect(none.targets == ["j"])
    }
}

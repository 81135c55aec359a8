import Foundation
import JSONSchema
import Testing
import WorkflowDefinitions
import WorkflowEngine
import WorkflowTestSupport

/// A child that counts its calls in its own state and asks a person when told to.
let childText = """
    name: child
    start: route
    executors:
      route: { kind: transform, expression: "message" }
      ask: { kind: request, prompt: "ok?", schema: { type: boolean } }
      count: { kind: transform, expression: "{calls: length(state.calls || `[]`), got: message}" }
      out: { kind: output }
    edges:
      - from: route
        switch:
          - { when: "message == 'ask'", to: ask }
          - { default: count }
      - { from: ask, to: out }
      - { from: count, to: out }
    outputs: [out]
    """

let parentText = """
    name: parent
    start: sub
    executors:
      sub: { kind: workflow, definition: child }
      done: { kind: output }
    edges:
      - { from: sub, to: done }
    """

func library() throws -> (parent: Definition, child: Definition) {
    let child = try Definition.parse(childText, file: "child.yaml")
    return (try Definition.parse(parentText, file: "parent.yaml", definitions: ["child": child]), child)
}

@Suite("workflow executors (sub-workflows)")
struct SubWorkflowTests {
    @Test("a sub-workflow runs inside one superstep and its outputs are sent on")
    func outputs() async throws {
        let parent = WorkflowInstance(name: "p", workflow: try library().parent.workflow)
        let result = try await parent.run("hello")
        #expect(result.outputs == [["calls": 0, "got": "hello"]])
        #expect(result.supersteps == 2)
    }

    @Test("a child's request surfaces on the parent with the same id and is answered through it")
    func requests() async throws {
        let parent = WorkflowInstance(name: "p", workflow: try library().parent.workflow,
                                      configuration: .init(store: InMemoryCheckpointStore(), responseValidator: JSONSchemaValidator()))
        let asked = try await parent.run("ask")
        #expect(asked.status == .idleWithPendingRequests)
        let request = try #require(asked.pendingRequests.first)
        #expect(request.executor == "sub")
        #expect(request.payload == ["prompt": "ok?", "message": "ask"])
        // The parent checks the child's schema before accepting.
        await #expect { try await parent.respond(to: request.id, with: "yes") } throws: { workflowError($0)?.code == .responseInvalid }
        let outcome = try await parent.respond(to: request.id, with: true)
        let done = try await parent.result(of: outcome.runID)
        #expect(done.outputs.first?["response"] == true)
        #expect(done.outputs.first?["requestId"] == .string(request.id))
        #expect(done.status == .idle)
    }

    @Test("checkpoints and rewinds recurse into the child; a reset clears it")
    func recursion() async throws {
        let store = InMemoryCheckpointStore()
        let parent = WorkflowInstance(name: "p", workflow: try library().parent.workflow, configuration: .init(store: store))
        let asked = try await parent.run("ask")  // the child now holds an open request
        let withRequest = try #require(try await parent.checkpoints().last)
        let snapshot = try #require(try await store.checkpoint(id: withRequest.id)?.executorStates["sub"])
        #expect(snapshot["child"]?["pendingRequests"]?.arrayValue?.count == 1)
        _ = try await parent.result(of: try await parent.respond(to: asked.pendingRequests[0].id, with: true).runID)
        #expect(try await parent.executorSnapshot("sub")["child"]?["pendingRequests"] == [])
        // Back to the checkpoint with the open request: the child has it open again.
        _ = try await parent.rewind(to: withRequest.id)
        #expect(try await parent.executorSnapshot("sub")["child"]?["pendingRequests"]?.arrayValue?.count == 1)
        let again = try await parent.result(of: try await parent.respond(to: asked.pendingRequests[0].id, with: false).runID)
        #expect(again.outputs.first?["response"] == false)
        try await parent.reset()
        #expect(try await parent.executorSnapshot("sub") == .null)
    }

    @Test("a sub-workflow's worker lives as long as the parent keeps the child: one process for every message; a reset or rewind stops it", .timeLimit(.minutes(3)))
    func workerLivesWithParent() async throws {
        let scripts = try Scripts()
        let worker = try scripts.add("worker.py", pythonWorker)
        let child = try Definition.parse("""
            name: wchild
            start: w
            executors:
              w: { kind: worker, command: [\(worker)] }
              out: { kind: output }
            edges:
              - { from: w, to: out }
            """, file: "wchild.yaml")
        let parent = try Definition.parse("""
            name: wparent
            start: sub
            executors:
              sub: { kind: workflow, definition: wchild }
              done: { kind: output }
            edges:
              - { from: sub, to: done }
            """, file: "wparent.yaml", definitions: ["wchild": child])
        let store = InMemoryCheckpointStore()
        let instance = WorkflowInstance(name: "p", workflow: parent.workflow, configuration: .init(store: store))
        var pids: [Int] = []
        for message in ["a", "b", "c"] {
            let result = try await instance.run(.string(message))
            #expect(result.outputs.first?["echo"] == .string(message))
            pids.append(try #require(result.outputs.first?["pid"]?.intValue))
        }
        #expect(Set(pids).count == 1, "a worker per message: \(pids)")
        let head = try #require(await instance.lineageHead)
        let second = try #require(try await store.checkpoints(instance: "p").first { $0.superstep > 0 && $0.id != head })
        // A rewind replaces the child: the old worker stops, the next message starts a new one.
        if let resumed = try await instance.rewind(to: second.id) { _ = try await resumed.result() }
        let afterRewind = try await instance.run("d")
        let newPid = try #require(afterRewind.outputs.first?["pid"]?.intValue)
        #expect(newPid != pids[0])
        #expect(processIsGone(Int32(pids[0])), "the rewound-away child's worker still runs")
        try await instance.reset()
        #expect(processIsGone(Int32(newPid)), "a reset left the child's worker running")
        await instance.shutdown()
    }

    @Test("the parent's graph hash changes when the child's behaviour does")
    func hashFollowsChild() throws {
        let (parent, _) = try library()
        let changedChild = try Definition.parse(childText.replacingOccurrences(of: "prompt: \"ok?\"", with: "prompt: \"sure?\""), file: "child.yaml")
        let other = try Definition.parse(parentText, file: "parent.yaml", definitions: ["child": changedChild])
        #expect(other.graphHash != parent.graphHash)
    }

    @Test("a directory resolves sub-workflows by name and reports cycles and missing or broken children")
    func directory() throws {
        let scripts = try Scripts()
        func write(_ name: String, _ text: String) throws { try text.write(to: scripts.directory.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        try write("child.yaml", childText)
        try write("parent.yaml", parentText)
        try write("a.yaml", "name: a\nstart: s\nexecutors:\n  s: { kind: workflow, definition: b }\n")
        try write("b.yaml", "name: b\nstart: s\nexecutors:\n  s: { kind: workflow, definition: a }\n")
        try write("orphan.yaml", "name: orphan\nstart: s\nexecutors:\n  s: { kind: workflow, definition: nowhere }\n")
        try write("broken-child.yaml", "name: broken-child\nstart: s\nexecutors:\n  s: { kind: teleport }\n")
        try write("uses-broken.yaml", "name: uses-broken\nstart: s\nexecutors:\n  s: { kind: workflow, definition: broken-child }\n")
        let (definitions, errors) = Definition.loadDirectory(scripts.path)
        #expect(definitions.keys.sorted() == ["child", "parent"])
        let messages = errors.map(\.description)
        // Reported where the cycle closes: b names a, which is already being loaded.
        #expect(messages.contains { $0.contains("b.yaml:4") && $0.contains("executors.s.definition: cycle of sub-workflows: a -> b -> a") }, "\(messages)")
        #expect(messages.contains { $0.contains("orphan.yaml:4") && $0.contains("executors.s.definition: no definition named 'nowhere' is loaded") })
        #expect(messages.contains { $0.contains("uses-broken.yaml") && $0.contains("sub-workflow 'broken-child' does not load") })
        #expect(messages.contains { $0.contains("broken-child.yaml") && $0.contains("unknown executor kind 'teleport'") })
    }
}

import Foundation
import JSONSchema
import Testing
import WorkflowDefinitions
import WorkflowEngine
import WorkflowTestSupport

let review = """
    # A person approves a draft; approved drafts are published, others dropped.
    name: review
    description: Draft a text, ask a person, publish or drop it
    start: draft
    maxSupersteps: 50
    executors:
      draft:
        kind: transform
        expression: "{title: message.title, text: join(' ', message.words)}"
      approve:
        kind: request
        prompt: "Publish this draft?"
        schema: { type: object, required: [approved], properties: { approved: { type: boolean } } }
      publish: { kind: transform, expression: "{published: message.request.message.title}" }
      published: { kind: output }
      dropped: { kind: output }
    edges:
      - { from: draft, to: approve }
      - from: approve
        switch:
          - { when: "message.response.approved", to: publish }
          - { default: dropped }
      - { from: publish, to: published }
    outputs: [published, dropped]
    """

func instance(_ definition: Definition) -> WorkflowInstance {
    WorkflowInstance(name: definition.name, workflow: definition.workflow,
                     configuration: .init(store: InMemoryCheckpointStore(), responseValidator: JSONSchemaValidator()))
}

@Suite("Definitions")
struct DefinitionTests {
    @Test("a YAML definition loads and runs: request with a schema, switch, transforms, outputs")
    func reviewFlow() async throws {
        let definition = try Definition.parse(review, file: "review.yaml")
        #expect(definition.name == "review")
        #expect(definition.workflow.maxSupersteps == 50)
        let review = instance(definition)
        let first = try await review.run(["title": "Hello", "words": ["a", "b"]])
        let request = try #require(first.pendingRequests.first)
        #expect(request.payload == ["prompt": "Publish this draft?", "message": ["title": "Hello", "text": "a b"]])
        await #expect {
            try await review.respond(to: request.id, with: ["approved": "yes"])
        } throws: { error in workflowError(error)?.details["problems"] == ["/approved: expected boolean, got string"] }
        let outcome = try await review.respond(to: request.id, with: ["approved": true])
        #expect(try await review.result(of: outcome.runID).outputs == [["published": "Hello"]])
        let second = try await review.run(["title": "Meh", "words": []])
        let dropped = try await review.respond(to: second.pendingRequests[0].id, with: ["approved": false])
        let result = try await review.result(of: dropped.runID)
        #expect(result.outputs.first?["response"] == ["approved": false])
    }

    @Test("map-reduce: a fan-out to transforms and a merging fan-in, in JSON")
    func mapReduce() async throws {
        let text = """
            {"name": "mapreduce", "start": "split",
             "executors": {
               "split": {"kind": "transform", "expression": "message"},
               "count": {"kind": "transform", "expression": "{count: length(message)}"},
               "first": {"kind": "transform", "expression": "{first: message[0]}"},
               "join": {"kind": "join", "merge": true},
               "out": {"kind": "output"}},
             "edges": [
               {"from": "split", "to": ["count", "first"]},
               {"from": ["count", "first"], "to": "join"},
               {"from": "join", "to": "out"}]}
            """
        let definition = try Definition.parse(text, file: "mapreduce.json")
        let result = try await instance(definition).run(["x", "y", "z"])
        #expect(result.outputs == [["count": 3, "first": "x"]])
    }

    @Test("a loop until a condition")
    func loop() async throws {
        let text = """
            name: countdown
            start: step
            executors:
              step: { kind: transform, expression: "{left: message.left[1:], seen: length(message.left)}" }
              done: { kind: output }
            edges:
              - { from: step, to: step, when: "length(message.left) > `0`" }
              - { from: step, to: done, when: "length(message.left) == `0`" }
            """
        let definition = try Definition.parse(text, file: "countdown.yaml")
        let result = try await instance(definition).run(["left": [1, 2, 3, 4, 5]])
        #expect(result.outputs == [["left": [], "seen": 1]])
        #expect(result.supersteps == 6)
    }

    @Test("JMESPath has no arithmetic: such an expression is refused with its position")
    func noArithmetic() {
        #expect {
            try Definition.parse("name: x\nstart: a\nexecutors:\n  a: { kind: transform, expression: \"message.n - `1`\" }\n", file: "x.yaml")
        } throws: { error in
            guard let error = error as? DefinitionError else { return false }
            return error.path == "executors.a.expression" && error.message.contains("syntax error at position 10") && error.line == 4
        }
    }

    @Test("the graph hash ignores comments, whitespace and key order, and changes with behaviour")
    func graphHash() throws {
        let base = try Definition.parse(review, file: "a.yaml").graphHash
        let reformatted = review.replacingOccurrences(of: "# A person approves", with: "# Someone approves")
            .replacingOccurrences(of: "{ kind: output }", with: "{kind: output}")
        #expect(try Definition.parse(reformatted, file: "b.yaml").graphHash == base)
        let renamedDescription = review.replacingOccurrences(of: "Draft a text", with: "Write a text")
        #expect(try Definition.parse(renamedDescription, file: "c.yaml").graphHash == base)
        let changedCondition = review.replacingOccurrences(of: "message.response.approved", with: "message.response.approved == `true`")
        #expect(try Definition.parse(changedCondition, file: "d.yaml").graphHash != base)
        let changedSchema = review.replacingOccurrences(of: "required: [approved]", with: "required: []")
        #expect(try Definition.parse(changedSchema, file: "e.yaml").graphHash != base)
    }

    @Test("each error names the file, the line and the path, and says what is wrong", arguments: [
        ("executors:\n  a: { kind: teleport }\nname: x\nstart: a\n", "executors.a.kind", "unknown executor kind 'teleport'"),
        ("name: x\nstart: a\nexecutors:\n  a: { kind: output }\nedges:\n  - { from: a, to: ghost }\n", "edges[0].to", "unknown executor 'ghost'"),
        ("name: x\nstart: a\nexecutors:\n  a: { kind: output }\n  b: { kind: output }\nedges:\n  - { from: a, to: b, when: \"message.[\" }\n",
         "edges[0].when", "syntax error at position"),
        ("name: x\nstart: a\nexecutors:\n  a: { kind: request, schema: { type: strung } }\n", "executors.a.schema", "invalid JSON Schema: invalid schema at #/type"),
        ("name: x\nstart: a\nexecutors:\n  a: { kind: workflow, definition: other }\n", "executors.a.definition", "no definition named 'other' is loaded"),
        ("name: x\nstart: a\nexecutors:\n  a: { kind: worker }\n", "executors.a", "a worker executor needs a 'command'"),
        ("name: x\nstart: a\nexecutors:\n  a: { kind: exec, command: [/nonexistent/prog] }\n", "executors.a.command[0]", "program /nonexistent/prog does not exist or is not executable"),
        ("name: x\nstart: a\nexecutors:\n  a: { kind: exec, command: [no-such-program-here] }\n", "executors.a.command[0]", "program 'no-such-program-here' is not in PATH"),
        ("name: x\nstart: a\nexecutors:\n  a: { kind: exec }\n", "executors.a", "an exec executor needs a 'command'"),
        ("name: x\nstart: a\nexecutors:\n  a: { kind: exec, command: [/bin/true], timeout: soon }\n", "executors.a.timeout", "must be a duration like 500ms, 30s or 5m"),
        ("name: x\nstart: a\nexecutors:\n  a: { kind: output, colour: red }\n", "executors.a.colour", "unknown key 'colour'"),
        ("name: x\nstart: a\nexecutors:\n  a: { kind: transform }\n", "executors.a", "a transform needs an 'expression'"),
        ("name: x\nstart: a\nexecutors:\n  a: { kind: output }\n  b: { kind: output }\nedges:\n  - from: a\n    switch:\n      - { when: \"message\", to: b }\n",
         "edges[0].switch", "a switch needs a { default: <executor> } case"),
        ("name: x\nstart: a\nexecutors:\n  a: { kind: output }\n  island: { kind: output }\n", "executors", "unreachable from start 'a': island"),
        ("name: x\nstart: nope\nexecutors:\n  a: { kind: output }\n", "start", "'nope' is not one of the executors"),
        ("name: x\nstart: a\nexecutors:\n  a: { kind: output }\noutputs: [b]\n", "outputs[0]", "\"b\" is not one of the executors"),
    ])
    func errors(text: String, path: String, message: String) {
        #expect {
            try Definition.parse(text, file: "broken.yaml")
        } throws: { error in
            guard let error = error as? DefinitionError else { return false }
            let ok = error.file == "broken.yaml" && error.path == path && error.message.contains(message)
            if !ok { Issue.record("got \(error)") }
            return ok && error.line != nil && error.description.hasPrefix("broken.yaml:\(error.line!):")
        }
    }

    @Test("YAML syntax errors and duplicate keys give a line")
    func yamlErrors() {
        #expect {
            try Definition.parse("name: x\nstart: [unclosed\n", file: "bad.yaml")
        } throws: { error in
            guard let error = error as? DefinitionError else { return false }
            return error.message.hasPrefix("not valid YAML or JSON:") && error.message.contains("line")
        }
        #expect {
            try Definition.parse("name: x\nname: y\n", file: "dup.yaml")
        } throws: { error in
            let description = (error as? DefinitionError)?.description ?? ""
            return description.contains("dup.yaml") && (description.contains("duplicate") || description.contains("twice"))
        }
    }

    @Test("a directory loads what it can and reports each bad file beside the good ones")
    func directory() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("defs-\(Identifier.make("t"))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try review.write(to: directory.appendingPathComponent("review.yaml"), atomically: true, encoding: .utf8)
        try review.write(to: directory.appendingPathComponent("review-copy.yml"), atomically: true, encoding: .utf8)
        try "name: broken\n".write(to: directory.appendingPathComponent("broken.json"), atomically: true, encoding: .utf8)
        try "ignored".write(to: directory.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let (definitions, errors) = Definition.loadDirectory(directory.path)
        #expect(definitions.keys.sorted() == ["review"])
        #expect(errors.count == 2)
        #expect(errors.contains { $0.file.hasSuffix("broken.json") && $0.message.contains("missing") })
        #expect(errors.contains { $0.file.hasSuffix("review.yaml") || $0.file.hasSuffix("review-copy.yml") })
    }
}


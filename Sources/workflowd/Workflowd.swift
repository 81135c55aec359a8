import WorkflowEngine

/// For now (until the daemon lands), `workflowd` runs two example workflows in-process and
/// prints every event as a JSON line: a review flow whose human-in-the-loop request is answered
/// while the run goes on, and a fan-out/fan-in map-reduce.
@main
struct Workflowd {
    static func main() async throws {
        let store = InMemoryCheckpointStore()
        try await review(store: store)
        try await mapReduce(store: store)
    }

    /// draft → approve (asks a person) → publish; reviewing happens in parallel with spell-checking.
    static func review(store: InMemoryCheckpointStore) async throws {
        var builder = WorkflowBuilder(name: "review", start: "draft")
        builder.addExecutor("draft", kind: "example.draft") {
            FunctionExecutor { message, context in
                let text = "Draft: " + (message["topic"]?.stringValue ?? "untitled")
                context.setState("draft", .string(text))
                context.send(.string(text))
            }
        }
        builder.addExecutor("approve", kind: "example.approve") {
            FunctionExecutor { message, context in
                context.requestInfo(["prompt": "Publish this draft?", "draft": message],
                                    schema: ["type": "object", "required": ["approved"]])
            }
        }
        builder.addExecutor("spellcheck", kind: "example.spellcheck") {
            FunctionExecutor(runsInline: false) { message, context in
                context.emit("spellcheck", data: ["words": .number(Double(message.stringValue?.split(separator: " ").count ?? 0))])
            }
        }
        builder.addExecutor("publish", kind: "example.publish") {
            FunctionExecutor { message, context in
                let approved = message["response"]?["approved"]?.boolValue ?? false
                context.yieldOutput(["published": .bool(approved), "text": context.state("draft") ?? nil])
            }
        }
        builder.addFanOut(from: "draft", to: ["approve", "spellcheck"])
        builder.addEdge(from: "approve", to: "publish")
        let instance = WorkflowInstance(name: "review", workflow: try builder.build(), configuration: .init(store: store))

        let events = try await instance.subscribe()
        let handle = try await instance.start(["topic": "superstep engines"])
        for await event in events {
            print(event.json.serialized())
            if case .request(let request) = event.body {
                // A person would answer with `wfctl respond review <id> '{"approved":true}'`.
                try await instance.respond(to: request.id, with: ["approved": true])
            }
            if case .output = event.body { break }
        }
        let first = try await handle.result()
        print(#"{"demo":"review","firstRun":\#(first.json.serialized())}"#)
    }

    /// split → [count words in each part] → join (fan-in) → total.
    static func mapReduce(store: InMemoryCheckpointStore) async throws {
        var builder = WorkflowBuilder(name: "wordcount", start: "split")
        let parts = ["p1", "p2", "p3"]
        builder.addExecutor("split", kind: "example.split") {
            FunctionExecutor { message, context in
                for (index, line) in (message.arrayValue ?? []).enumerated() where index < parts.count {
                    context.send(line, to: parts[index])
                }
            }
        }
        for part in parts {
            builder.addExecutor(part, kind: "example.count") {
                FunctionExecutor { message, context in
                    context.send(.number(Double(message.stringValue?.split(separator: " ").count ?? 0)))
                }
            }
        }
        builder.addExecutor("total", kind: "example.sum") {
            FunctionExecutor { message, context in
                context.yieldOutput(.number(message.arrayValue?.compactMap(\.doubleValue).reduce(0, +) ?? 0))
            }
        }
        builder.addFanOut(from: "split", to: parts)
        builder.addFanIn(from: parts, to: "total")
        let instance = WorkflowInstance(name: "wordcount", workflow: try builder.build(), configuration: .init(store: store))
        let events = try await instance.subscribe()
        let handle = try await instance.start(["one two three", "four five", "six"])
        for await event in events {
            print(event.json.serialized())
            if event.runID == handle.runID, case .status(let status) = event.body, status != .inProgress { break }
        }
        let result = try await handle.result()
        print(#"{"demo":"wordcount","result":\#(result.json.serialized()),"checkpoints":\#(try await instance.checkpoints().count)}"#)
    }
}

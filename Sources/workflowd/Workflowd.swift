#if canImport(Glibc)
import Glibc
#endif
import JSONSchema
import WorkflowDefinitions
import WorkflowEngine

/// Until the daemon lands, `workflowd` loads a definitions directory (`--definitions DIR`,
/// default `Contrib/examples`), runs each definition in-process with a sample input, answers the
/// requests they raise as a person would (approving), and prints every event as a JSON line.
@main
struct Workflowd {
    /// Sample inputs for the example definitions.
    static let inputs: [String: JSON] = [
        "review": ["topic": "superstep engines"],
        "release": ["words": ["sub", "workflows"]],
        "mapreduce": ["the quick brown fox", "jumps over", "the lazy dog", "twice"],
        "loop": ["left": [1, 2, 3], "done": []],
        "shout": "hello from workflowd",
    ]

    static func main() async throws {
        var arguments = Array(CommandLine.arguments.dropFirst())
        var directory = "Contrib/examples"
        if let index = arguments.firstIndex(of: "--definitions"), index + 1 < arguments.count {
            directory = arguments[index + 1]
            arguments.removeSubrange(index...(index + 1))
        }
        guard arguments.isEmpty else {
            print("usage: workflowd [--definitions DIR]")
            exit(2)
        }
        let (definitions, errors) = Definition.loadDirectory(directory)
        for error in errors { print(#"{"definitionError":\#(JSON.string(error.description).serialized())}"#) }
        for name in definitions.keys.sorted() {
            try await run(definitions[name]!, input: inputs[name] ?? nil)
        }
        if definitions.isEmpty { exit(1) }
    }

    static func run(_ definition: Definition, input: JSON) async throws {
        let instance = WorkflowInstance(name: definition.name, workflow: definition.workflow,
                                        configuration: .init(store: InMemoryCheckpointStore(), responseValidator: JSONSchemaValidator()))
        let events = try await instance.subscribe()
        let handle = try await instance.start(input)
        var result = try await handle.result()
        // A person approves whatever is asked (`wfctl respond` will do this once the daemon is here).
        while let request = result.pendingRequests.first {
            let answer: JSON = request.schema["type"] == "boolean" ? true : ["approved": true]
            result = try await instance.result(of: try await instance.respond(to: request.id, with: answer).runID)
        }
        await instance.shutdown()
        var iterator = events.makeAsyncIterator()
        while let event = try await iterator.next() {
            print(event.json.serialized())
            if event.seq + 1 >= (await instance.nextSeq) { break }
        }
        print(#"{"definition":\#(JSON.string(definition.name).serialized()),"result":\#(result.json.serialized())}"#)
    }
}

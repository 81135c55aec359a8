import WorkflowProtocol
import ArgumentParser
import WorkflowClient
import WorkflowDefinitions
import WorkflowGraph
import WorkflowJSON

struct GraphCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph", abstract: "Draw a workflow: an instance (with its live state), a definition, or a definition file.",
        discussion: """
        Executors are drawn with their kind; edges with their conditions; fan-out, fan-in and switch as junctions; \
        sub-workflows nested. For an instance, the executors holding messages and those waiting on a person are marked \
        and the path of the active or last run is highlighted. NAME is looked up as an instance first, then as a \
        definition; a path to a file is read offline.

        Mermaid renders in GitHub and most Markdown viewers; DOT with Graphviz: wfctl graph review --format dot | dot -Tsvg > review.svg
        """)
    @OptionGroup var options: ClientOptions
    @Argument(help: "An instance, a definition, or a definition file.") var name: String
    @Option(name: .long, help: "mermaid, dot or text.") var format: GraphRenderer.Format = .text
    @Flag(name: .long, help: "NAME is a definition, even if an instance has that name.") var definition = false

    func run() async throws {
        try await Session.run(options) { session in
            let (graph, state) = try await load(session.client)
            let text = GraphRenderer.render(graph, state: state, as: format)
            if session.json {
                session.terminal.json(["format": .string(format.rawValue), "graph": .string(text)])
            } else {
                session.terminal.write(text)
            }
            return .success
        }
    }

    private func load(_ client: WorkflowClient) async throws -> (WorkflowGraph, GraphState?) {
        if name.contains("/") || name.hasSuffix(".yaml") || name.hasSuffix(".yml") || name.hasSuffix(".json") {
            let checks = Definition.check(files: [name])
            guard let check = checks.first, let loaded = check.definition else {
                throw Failure(.invalidInput, "\(name) does not load:\n" + (checks.first?.errors.map { "  " + $0.description }.joined(separator: "\n") ?? ""))
            }
            return (WorkflowGraph(document: loaded.document, subDefinitions: check.documents), nil)
        }
        if !definition {
            do {
                let result = try await client.graph(of: name)
                let state = GraphState(holding: result.holding, waiting: Set(result.waiting),
                                       invocations: result.lastRun?.invocations.map { .init(executor: $0.executor, superstep: $0.superstep) } ?? [],
                                       runId: result.lastRun?.runId, runStatus: result.lastRun?.status, status: result.status)
                return (WorkflowGraph(document: result.definition.document ?? [:], subDefinitions: result.subDefinitions), state)
            } catch let error as WorkflowClientError where error.rpcCode == .instanceNotFound {
                // Not an instance: a definition, then.
            }
        }
        let info = try await client.definition(name)
        var subDefinitions: [String: JSON] = [:]
        var queue = [info.document ?? [:]]
        while let document = queue.popLast(), subDefinitions.count < 64 {
            for (_, executor) in document["executors"]?.objectValue ?? [:] where executor["kind"]?.stringValue == "workflow" {
                guard let sub = executor["definition"]?.stringValue, subDefinitions[sub] == nil,
                      let subInfo = try? await client.definition(sub), let subDocument = subInfo.document else { continue }
                subDefinitions[sub] = subDocument
                queue.append(subDocument)
            }
        }
        return (WorkflowGraph(document: info.document ?? [:], subDefinitions: subDefinitions), nil)
    }
}

extension GraphRenderer.Format: ExpressibleByArgument {}

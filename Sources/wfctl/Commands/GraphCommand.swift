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

        Mermaid renders in GitHub and most Markdown viewers; DOT with Graphviz: wfctl graph review --format dot | dot -Tsvg > review.svg; \
        svg is laid out by wfctl itself (as the web console draws it).
        """)
    @OptionGroup var options: ClientOptions
    @Argument(help: "An instance, a definition, or a definition file.") var name: String
    @Option(name: .long, help: "mermaid, dot, svg or text.") var format: GraphRenderer.Format = .text
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
            return (try loadFile(), nil)
        }
        if !definition, let live = try await loadInstance(client) { return live }
        return (try await loadDefinition(client), nil)
    }

    private func loadFile() throws -> WorkflowGraph {
        let checks = Definition.check(files: [name])
        guard let check = checks.first, let loaded = check.definition else {
            throw Failure(.invalidInput, "\(name) does not load:\n" + (checks.first?.errors.map { "  " + $0.description }.joined(separator: "\n") ?? ""))
        }
        return WorkflowGraph(document: loaded.document, subDefinitions: check.documents)
    }

    /// The instance's graph with its live state, or nil if there is no such instance.
    private func loadInstance(_ client: WorkflowClient) async throws -> (WorkflowGraph, GraphState?)? {
        let result: InstanceMethods.Graph.Result
        do {
            result = try await client.graph(of: name)
        } catch where error.isRPC(.instanceNotFound) {
            return nil
        }
        let state = GraphState(holding: result.holding, waiting: Set(result.waiting),
                               invocations: result.lastRun?.invocations.map { .init(executor: $0.executor, superstep: $0.superstep) } ?? [],
                               runId: result.lastRun?.runId, runStatus: result.lastRun?.status.rawValue, status: result.status.rawValue)
        return (WorkflowGraph(document: result.definition.document ?? [:], subDefinitions: result.subDefinitions), state)
    }

    private func loadDefinition(_ client: WorkflowClient) async throws -> WorkflowGraph {
        let info = try await client.definition(name)
        var subDefinitions: [String: JSON] = [:]
        var queue = [info.document ?? [:]]
        while let document = queue.popLast(), subDefinitions.count < 64 {
            for (_, executor) in document["executors"]?.objectValue ?? [:] where executor["kind"]?.stringValue == "workflow" {
                guard let sub = executor["definition"]?.stringValue, subDefinitions[sub] == nil else { continue }
                guard let subDocument = try await subDocument(sub, client) else { continue }
                subDefinitions[sub] = subDocument
                queue.append(subDocument)
            }
        }
        return WorkflowGraph(document: info.document ?? [:], subDefinitions: subDefinitions)
    }

    /// A sub-workflow's document; nil if the daemon has no such definition (the graph shows it empty).
    private func subDocument(_ name: String, _ client: WorkflowClient) async throws -> JSON? {
        do {
            return try await client.definition(name).document
        } catch where error.isRPC(.definitionNotFound) {
            return nil
        }
    }
}

extension GraphRenderer.Format: ExpressibleByArgument {}

import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import WorkflowTestSupport
import WorkflowDefinitions
import WorkflowGraph
import WorkflowJSON

/// The graph renderer: every example definition in every format (DOT that `dot -Tsvg` accepts),
/// the shapes of the edge forms, an instance's live state marked, and escaping.
@Suite("Graph renderer")
struct GraphRendererTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Contrib/examples").path

    static func example(_ name: String) throws -> (document: JSON, documents: [String: JSON]) {
        let check = try #require(Definition.check(files: [examples + "/\(name).yaml"]).first)
        let definition = try #require(check.definition, "\(check.errors)")
        return (definition.document, check.documents)
    }

    /// Runs Graphviz on a DOT text; returns its exit status and stderr.
    static func graphviz(_ dot: String) async throws -> (status: Int32, stderr: String, svg: String) {
        let outcome = try await ChildProcess.run("/usr/bin/dot", ["-Tsvg"], input: dot)
        return (outcome.status, outcome.stderr, outcome.stdout)
    }

    @Test("every example definition renders in every format; Graphviz accepts the DOT", arguments: ["review", "release", "mapreduce", "loop", "worker", "agent"])
    func examples(_ file: String) async throws {
        let (document, documents) = try Self.example(file)
        let graph = WorkflowGraph(document: document, subDefinitions: documents)
        for format in GraphRenderer.Format.allCases {
            let text = GraphRenderer.render(graph, as: format)
            #expect(text == GraphRenderer.render(graph, as: format), "deterministic")
            for node in graph.nodes { #expect(text.contains(node.id), "\(format) shows \(node.id)") }
        }
        let dot = GraphRenderer.render(graph, as: .dot)
        let result = try await Self.graphviz(dot)
        #expect(result.status == 0 && result.stderr.isEmpty, "dot -Tsvg: \(result.stderr)\n\(dot)")
        #expect(result.svg.contains("<svg"))
        let mermaid = GraphRenderer.render(graph, as: .mermaid)
        #expect(mermaid.hasPrefix("---\ntitle: \(graph.name)\n---\nflowchart LR\n"))
    }

    @Test("edge shapes: switch with its ordered cases and default, fan-out, fan-in, conditions, sub-workflows")
    func shapes() throws {
        let review = WorkflowGraph(document: try Self.example("review").document)
        let mermaid = GraphRenderer.render(review, as: .mermaid)
        #expect(mermaid.contains(#"x_approve{{"<b>approve</b><br/>request: Publish this draft?"}}"#))
        #expect(mermaid.contains(#"switch_1{"switch"}"#))
        #expect(mermaid.contains(#"switch_1 -->|"1. message.response.approved"| x_publish"#))
        #expect(mermaid.contains(#"switch_1 -->|"default"| x_dropped"#))
        #expect(mermaid.contains(#"x_publish(["<b>publish</b><br/>worker: programs/publisher.py"])"#))

        let mapreduce = WorkflowGraph(document: try Self.example("mapreduce").document)
        let text = GraphRenderer.render(mapreduce, as: .text)
        #expect(text.contains("split → [map0, map1, map2]  fan-out to all"))
        #expect(text.contains("[map0, map1, map2] → reduce  fan-in"))
        let dot = GraphRenderer.render(mapreduce, as: .dot)
        #expect(dot.contains(#""fanin_1" [label="all of 3", shape=circle"#))
        for mapper in ["map0", "map1", "map2"] { #expect(dot.contains("\"x_\(mapper)\" -> \"fanin_1\"")) }

        let loop = WorkflowGraph(document: try Self.example("loop").document)
        #expect(GraphRenderer.render(loop, as: .mermaid).contains(#"x_take -->|"length(message.left) #gt; #96;0#96;"| x_take"#),
                "a self-loop with its condition, escaped")

        let (document, documents) = try Self.example("release")
        let release = WorkflowGraph(document: document, subDefinitions: documents)
        #expect(release.node("review")?.subgraph?.name == "review")
        let nested = GraphRenderer.render(release, as: .mermaid)
        #expect(nested.contains(#"subgraph x_review__sub ["review (sub-workflow of review)"]"#))
        #expect(nested.contains("x_review -.->|\"runs\"| x_review__x_draft"))
        #expect(GraphRenderer.render(release, as: .dot).contains("subgraph \"cluster_x_review__sub\""))
    }

    @Test("an instance's state: holding, waiting, and the last run's path highlighted")
    func state() async throws {
        let graph = WorkflowGraph(document: try Self.example("review").document)
        let state = GraphState(holding: ["publish": 2], waiting: ["approve"],
                               invocations: [.init(executor: "draft", superstep: 1), .init(executor: "approve", superstep: 2)],
                               runId: "r1", runStatus: "idle_with_pending_requests", status: "idle_with_pending_requests")
        let mermaid = GraphRenderer.render(graph, state: state, as: .mermaid)
        #expect(mermaid.contains("class x_approve waiting"))
        #expect(mermaid.contains("class x_publish holding"))
        #expect(mermaid.contains("<i>2 messages waiting</i>"))
        #expect(mermaid.contains("class x_draft visited"))
        #expect(mermaid.contains("x_draft ==> x_approve"), "the edge the run took")
        #expect(mermaid.contains("x_approve --> switch_1"), "not taken yet")
        #expect(mermaid.contains("linkStyle 0 stroke:#1d4ed8"))
        let dot = GraphRenderer.render(graph, state: state, as: .dot)
        #expect(dot.contains(##""x_draft" -> "x_approve" [color="#1d4ed8", penwidth=3];"##))
        #expect(dot.contains(##"waiting on a person", shape=hexagon, fillcolor="#fef3c7""##))
        #expect(try await Self.graphviz(dot).status == 0)
        let text = GraphRenderer.render(graph, state: state, as: .text)
        #expect(text.contains("approve  request  Publish this draft?  [ran, WAITING ON A PERSON]"))
        #expect(text.contains("draft → approve  ✓"))
        #expect(text.contains("run r1 (idle_with_pending_requests) went through draft → approve"))
    }

    @Test("SVG, laid out without Graphviz: well-formed, rows by distance from the start, the live marks as classes")
    func svg() throws {
        let graph = WorkflowGraph(document: try Self.example("review").document)
        let state = GraphState(holding: ["publish": 2], waiting: ["approve"],
                               invocations: [.init(executor: "draft", superstep: 1), .init(executor: "approve", superstep: 2)])
        let svg = GraphRenderer.render(graph, state: state, as: .svg)
        let parser = XMLParser(data: Data(svg.utf8))
        #expect(parser.parse(), "well-formed XML: \(parser.parserError.map { "\($0)" } ?? "")")
        #expect(svg.contains(#"class="node kind-request waiting visited" data-executor="approve""#))
        #expect(svg.contains(#"class="node kind-worker holding" data-executor="publish""#))
        #expect(svg.contains(#"<text x="164" y="8" text-anchor="middle">2</text>"#), "the count of messages held")
        #expect(svg.contains(#"class="node kind-exec start visited" data-executor="draft""#))
        #expect(svg.contains(#"<g class="edge taken" data-from="x_draft" data-to="x_approve">"#), "the edge the run took")
        #expect(svg.contains(#"<g class="edge" data-from="x_approve" data-to="switch_1">"#), "not taken yet")
        // draft, then approve a row below it, then the switch, then both of its targets side by side.
        func y(_ executor: String) -> Double? {
            guard let range = svg.firstRange(of: "data-executor=\"\(executor)\" transform=\"translate(") else { return nil }
            let rest = svg[range.upperBound...].prefix { $0 != ")" }
            return Double(rest.split(separator: " ")[1])
        }
        let draft = try #require(y("draft")), approve = try #require(y("approve")), publish = try #require(y("publish"))
        #expect(draft < approve && approve < publish)
        #expect(y("publish") == y("dropped"))
        let escaped = GraphRenderer.render(WorkflowGraph(document: ["name": "a<b", "start": "x&y", "executors": ["x&y": ["kind": "output"]]]), as: .svg)
        #expect(XMLParser(data: Data(escaped.utf8)).parse(), "names with markup characters are escaped")
    }

    @Test("ids and texts that would break Mermaid or DOT are escaped")
    func escaping() async throws {
        let document: JSON = [
            "name": "odd \"name\"", "start": "a.b-c",
            "executors": ["a.b-c": ["kind": "transform", "expression": "message.\"x|y\" < `2`"], "a_b_c": ["kind": "output"]],
            "edges": [["from": "a.b-c", "to": "a_b_c", "when": "message == 'a\\b'"]],
        ]
        let graph = WorkflowGraph(document: document)
        let mermaid = GraphRenderer.render(graph, as: .mermaid)
        #expect(mermaid.contains("x_a_b_c[/"), "a safe id")
        #expect(mermaid.contains("x_a_b_c_"), "two executors that clean to the same id stay apart")
        #expect(mermaid.contains("#quot;x#124;y#quot; #lt; #96;2#96;"))
        let result = try await Self.graphviz(GraphRenderer.render(graph, as: .dot))
        #expect(result.status == 0 && result.stderr.isEmpty, "\(result.stderr)")
    }

    @Test("an llm step's tools: the edges the daemon adds are drawn dashed both ways, labelled tool; written ones are not doubled")
    func toolEdges() throws {
        let (document, _) = try Self.example("agent")
        let graph = WorkflowGraph(document: document)
        let tools = graph.edges.filter { $0.shape == .tool }.map { $0.from[0] + "->" + $0.to[0] }
        #expect(Set(tools) == ["writer->style", "style->writer", "writer->publish", "publish->writer"])
        #expect(graph.node("writer")?.detail == "local")
        let text = GraphRenderer.render(graph, as: .text)
        #expect(text.contains("writer ⇢ publish  (tool)") && text.contains("publish ⇢ writer  (tool)"), "\(text)")
        #expect(GraphRenderer.render(graph, as: .dot).contains("style=dashed"))
        let written = WorkflowGraph(document: ["name": "x", "start": "a", "executors": [
            "a": ["kind": "llm", "tools": [["executor": "b"]]], "b": ["kind": "transform"],
        ], "edges": [["from": "b", "to": "a"]]])
        #expect(written.edges.count == 2 && written.edges.filter { $0.shape == .tool }.map(\.from) == [["a"]])
    }
}

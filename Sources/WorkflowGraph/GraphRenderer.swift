/// Draws a ``WorkflowGraph`` (and an instance's ``GraphState``) as Mermaid, Graphviz DOT, SVG or text.
/// A pure function of its inputs: the same graph always gives the same text.
public enum GraphRenderer {
    public enum Format: String, Sendable, CaseIterable {
        case mermaid, dot, svg, text
    }

    public static func render(_ graph: WorkflowGraph, state: GraphState? = nil, as format: Format) -> String {
        switch format {
        case .mermaid: MermaidWriter(scene: Scene(graph, state: state)).text
        case .dot: DotWriter(scene: Scene(graph, state: state)).text
        case .svg: SVGWriter(scene: Scene(graph, state: state)).text
        case .text: TextWriter(graph: graph, state: state).text
        }
    }
}


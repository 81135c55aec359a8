import Foundation
import Logging
import MCP
import WorkflowClient
import WorkflowGraph
import WorkflowJSON
import WorkflowProtocol

/// workflowd as a Model Context Protocol server: an assistant lists definitions and instances,
/// starts runs, reads their outcomes and events, and sees and answers the requests waiting for
/// a person, all through the daemon's socket with the rights of the user who runs it.
///
/// Every open request is also a tool of its own (`answer_<requestId>`) whose input schema is the
/// request's response schema, so the assistant is told exactly what an answer must be. Instances
/// and their graphs are resources (`workflowd://instances/NAME`, `…/graph`).
///
/// ```swift
/// let server = WorkflowMCPServer(client: WorkflowClient(socketPath: path))
/// try await server.run(transport: StdioTransport())
/// ```
public struct WorkflowMCPServer: Sendable {
    let tools: MCPTools

    /// The most open requests offered as tools of their own (the rest through `answer_request`).
    public static let requestToolLimit = 50

    /// A server that talks to the daemon through `client`.
    public init(client: WorkflowClient) {
        tools = MCPTools(client: client)
    }

    /// Serves on `transport` until the client goes away.
    public func run(transport: any Transport, version: String) async throws {
        let server = Server(name: "workflowd", version: version, title: "workflowd",
                            instructions: """
                                workflowd runs named workflow instances. Use list_requests to see what waits for a person; \
                                each open request is also a tool answer_<requestId> whose input is the answer its schema asks for. \
                                start_run starts a run and waits for its outcome; read_events shows what happened.
                                """,
                            capabilities: .init(resources: .init(subscribe: false, listChanged: false), tools: .init(listChanged: false)))
        let tools = tools
        await server.withMethodHandler(ListTools.self) { _ in
            ListTools.Result(tools: try await tools.list())
        }
        await server.withMethodHandler(CallTool.self) { params in
            let arguments = (params.arguments ?? [:]).mapValues(MCPValue.json)
            return await tools.call(params.name, arguments: arguments)
        }
        await server.withMethodHandler(ListResources.self) { _ in
            ListResources.Result(resources: try await tools.resources())
        }
        await server.withMethodHandler(ReadResource.self) { params in
            ReadResource.Result(contents: try await tools.read(params.uri))
        }
        try await server.start(transport: transport)
        await server.waitUntilCompleted()
    }
}

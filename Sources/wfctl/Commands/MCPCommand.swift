import ArgumentParser
import WorkflowClient
import WorkflowConcurrency
import WorkflowMCP

struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp", abstract: "Speak the Model Context Protocol on stdin and stdout: workflowd as tools for an assistant.",
        discussion: """
        An assistant (Claude Desktop, an IDE, any MCP client) starts `wfctl mcp` and talks to the daemon through \
        it, as you: it sees what you may see and does what you may do. Tools: list_definitions, list_instances, \
        get_instance, start_run, get_run, read_events, list_requests, answer_request, and one answer_<requestId> \
        per open request (up to 50) whose input schema is the answer the request asks for. Resources: \
        workflowd://instances/NAME (JSON) and workflowd://instances/NAME/graph (Mermaid).

        Nothing but protocol messages goes to stdout; errors go to stderr. It ends when the client closes stdin.
        Example client configuration: {"command": "wfctl", "args": ["mcp"]}
        """)
    @OptionGroup var options: ClientOptions

    func run() async throws {
        try await Session.run(options) { session in
            // Reach the daemon first: a wrong socket or a missing right is said on stderr, with the usual exit status.
            _ = try await session.client.ping()
            let server = MCPServer(socketPath: session.socketPath, version: Wfctl.configuration.version)
            // Blocking reads and writes of stdin, stdout and the socket: on a thread of their own.
            try await BlockingWork.run { try server.serve() }
            return .success
        }
    }
}

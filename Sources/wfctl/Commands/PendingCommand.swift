import WorkflowProtocol
import WorkflowClient
import ArgumentParser
import WorkflowJSON

struct PendingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pending", abstract: "List open requests: of one instance, or of every instance you may see.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The instance (default: all).") var name: String?

    func run() async throws {
        try await Session.run(options) { session in
            let requests = try await session.client.requests(of: name)
            if session.json {
                session.terminal.json(["requests": try JSONValueEncoder().encode(requests)])
                return .success
            }
            let t = session.terminal
            if requests.isEmpty {
                t.line("no open requests" + (name.map { " on \($0)" } ?? ""))
                return .success
            }
            var table = Table("INSTANCE", "REQUEST", "EXECUTOR", "ASKED", "TIMES OUT", "PROMPT")
            for request in requests {
                let prompt = request.payload.stringValue ?? request.payload["prompt"]?.stringValue ?? request.payload.serialized()
                table.add(request.instance, request.id, request.executor, Time.relative(request.time),
                          request.expiresAt.map { Time.ahead($0) } ?? "-", String(prompt.prefix(60)))
            }
            t.line(table.render(t))
            t.line()
            for request in requests { t.line(t.styled("  " + RequestPrinter.command(request), .dim)) }
            return .success
        }
    }
}

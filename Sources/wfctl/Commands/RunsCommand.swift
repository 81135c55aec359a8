import WorkflowProtocol
import WorkflowClient
import ArgumentParser
import WorkflowJSON

struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "runs", abstract: "List an instance's runs, newest first.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The instance.") var name: String
    @Option(name: .long, help: "At most this many (1 to 1000).") var limit: Int = 20

    func validate() throws {
        guard (1...1000).contains(limit) else { throw ValidationError("--limit must be between 1 and 1000, not \(limit)") }
    }

    func run() async throws {
        try await Session.run(options) { session in
            let runs = try await session.client.runs(of: name, limit: limit)
            if session.json {
                session.terminal.json(["runs": try JSONValueEncoder().encode(runs)])
                return .success
            }
            let t = session.terminal
            var table = Table("RUN", "STATUS", "TRIGGER", "SUPERSTEPS", "STARTED", "OUTPUTS")
            for run in runs {
                table.add(run.runId, t.status(run.status), run.trigger?.rawValue ?? "-", run.supersteps.map(String.init) ?? "-",
                          Time.relative(run.startedAt), "\(run.outputs?.count ?? 0)")
            }
            t.line(table.render(t))
            return .success
        }
    }
}

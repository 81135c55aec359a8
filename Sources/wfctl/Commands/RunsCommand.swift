import WorkflowProtocol
import WorkflowClient
import ArgumentParser
import WorkflowJSON

struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs", abstract: "List an instance's runs, newest first; with --failed, the failed runs of every instance.",
        discussion: "The failed runs are the dead letters: wfctl retry INSTANCE takes one up again from its last checkpoint.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The instance (with --failed, optional: every instance you may see).") var name: String?
    @Flag(name: .long, help: "Only failed runs.") var failed = false
    @Option(name: .long, help: "At most this many (1 to 1000).") var limit: Int = 20

    func validate() throws {
        guard (1...1000).contains(limit) else { throw ValidationError("--limit must be between 1 and 1000, not \(limit)") }
        if name == nil && !failed { throw ValidationError("name an instance, or give --failed for the failed runs of every instance") }
    }

    func run() async throws {
        try await Session.run(options) { session in
            let runs = failed ? try await session.client.runs(withStatus: .failed, of: name, limit: limit)
                              : try await session.client.runs(of: name ?? "", limit: limit)
            if session.json {
                session.terminal.json(["runs": try JSONValueEncoder().encode(runs)])
                return .success
            }
            let t = session.terminal
            if failed {
                if runs.isEmpty {
                    t.line("no failed runs" + (name.map { " on \($0)" } ?? ""))
                    return .success
                }
                var table = Table("INSTANCE", "RUN", "ENDED", "ERROR")
                for run in runs {
                    let error = run.error?["message"]?.stringValue ?? "-"
                    table.add(run.instance, run.runId, Time.relative(run.endedAt), String(error.prefix(80)))
                }
                t.line(table.render(t))
                return .success
            }
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

import ArgumentParser
import WorkflowClient
import WorkflowJSON

struct MetricsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Print the daemon's metrics in Prometheus' text format (what --metrics-listen serves at /metrics).",
        discussion: "With a NAME, only the metrics whose names contain it (e.g. `wfctl metrics runs_finished`).")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Only metrics whose names contain this.") var name: String?

    func run() async throws {
        try await Session.run(options) { session in
            var text = try await session.client.metrics()
            if let name {
                // HELP and TYPE lines name the metric second; samples first.
                text = text.split(separator: "\n", omittingEmptySubsequences: false).filter { line in
                    let fields = line.split(separator: " ", maxSplits: 3)
                    let metric = line.hasPrefix("#") ? (fields.count > 2 ? fields[2] : "") : (fields.first?.split(separator: "{").first ?? "")
                    return metric.contains(name)
                }.joined(separator: "\n") + "\n"
            }
            if session.json {
                session.terminal.json(["text": .string(text)])
            } else {
                session.terminal.write(text)
            }
            return .success
        }
    }
}

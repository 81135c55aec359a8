import WorkflowProtocol
import WorkflowClient
import ArgumentParser
import WorkflowJSON

struct CheckpointCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint", abstract: "Take a checkpoint now (at the next superstep boundary of a running instance).",
        discussion: "A label names it wherever an id works, and retention keeps it while it is labelled.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The instance.") var name: String
    @Option(name: .long, help: "A name for it, unique in the instance.") var label: String?

    func run() async throws {
        try await Session.run(options) { session in
            let info = try await session.client.createCheckpoint(of: name, label: label)
            if session.json {
                session.terminal.json(try JSONValueEncoder().encode(info))
            } else {
                session.terminal.line("checkpoint \(info.id)" + (info.label.map { " (\($0))" } ?? "") + " of \(name) at superstep \(info.superstep)")
            }
            return .success
        }
    }
}

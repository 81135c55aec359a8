import WorkflowProtocol
import WorkflowClient
import ArgumentParser
import WorkflowJSON

struct RewindCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rewind", abstract: "Restore a checkpoint of an instance in place (a new branch starts there).",
        discussion: "If the checkpoint has work in flight, a run continues it.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The instance.") var name: String
    @Argument(help: "A checkpoint id or label.") var checkpoint: String

    func run() async throws {
        try await Session.run(options) { session in
            let result = try await session.client.rewind(name, to: checkpoint)
            if session.json {
                session.terminal.json(try JSONValueEncoder().encode(result))
            } else {
                session.terminal.line("rewound \(name) to \(checkpoint)" + (result.runId.map { "; run \($0) continues its work" } ?? ""))
            }
            return .success
        }
    }
}

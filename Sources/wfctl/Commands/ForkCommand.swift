import WorkflowProtocol
import WorkflowClient
import ArgumentParser
import WorkflowJSON

struct ForkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fork", abstract: "Create a new instance from a checkpoint of another.",
        discussion: "The new instance records where it came from; if the checkpoint has work in flight, a run on it continues that work.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The instance.") var name: String
    @Argument(help: "A checkpoint id or label.") var checkpoint: String
    @Argument(help: "The new instance's name.") var newName: String

    func run() async throws {
        try await Session.run(options) { session in
            let result = try await session.client.fork(name, at: checkpoint, as: newName)
            if session.json {
                session.terminal.json(try JSONValueEncoder().encode(result))
            } else {
                session.terminal.line("forked \(newName) from \(name) at \(checkpoint)" + (result.runId.map { "; run \($0) continues its work" } ?? ""))
            }
            return .success
        }
    }
}

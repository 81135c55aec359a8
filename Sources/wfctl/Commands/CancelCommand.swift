import WorkflowProtocol
import WorkflowClient
import ArgumentParser
import WorkflowJSON

struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel the active run (returns once it has ended).")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The instance.") var name: String

    func run() async throws {
        try await Session.run(options) { session in
            let result = try await session.client.cancelRun(on: name)
            if session.json {
                session.terminal.json(try JSONValueEncoder().encode(result))
            } else if result.cancelled {
                session.terminal.line("cancelled run \(result.runId ?? "?") on \(name)")
            } else {
                session.terminal.line("\(name) has no active run")
            }
            return .success
        }
    }
}

import WorkflowProtocol
import WorkflowClient
import ArgumentParser
import WorkflowJSON

struct DeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete an instance with its checkpoints, events and runs.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The instance.") var name: String
    @Flag(name: .long, help: "Cancel an active run first (otherwise a busy instance is not deleted).") var cancel = false

    func run() async throws {
        try await Session.run(options) { session in
            let deleted = try await session.client.deleteInstance(name, cancel: cancel)
            if session.json {
                session.terminal.json(["deleted": .bool(deleted), "instance": .string(name)])
            } else {
                session.terminal.line("deleted \(name)")
            }
            return .success
        }
    }
}

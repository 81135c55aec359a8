import WorkflowProtocol
import WorkflowClient
import ArgumentParser
import WorkflowJSON

struct ResetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset", abstract: "Make an instance like new: state, open requests, queue, keys and lineage, atomically.",
        discussion: "The event log keeps its history (an instance_reset event marks it); old checkpoints stay listable.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The instance.") var name: String
    @Flag(name: .long, help: "Cancel an active run first (otherwise a busy instance is not reset).") var cancel = false
    @Flag(name: .long, help: "Move to the definition's current version.") var upgrade = false

    func run() async throws {
        try await Session.run(options) { session in
            let info = try await session.client.reset(name, cancel: cancel, upgrade: upgrade)
            if session.json {
                session.terminal.json(try JSONValueEncoder().encode(info))
            } else {
                session.terminal.line("reset \(name)" + (upgrade ? " (version \(info.definitionHash.prefix(12)))" : ""))
            }
            return .success
        }
    }
}

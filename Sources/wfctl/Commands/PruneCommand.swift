import WorkflowProtocol
import WorkflowClient
import ArgumentParser
import WorkflowJSON

struct PruneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune", abstract: "Apply checkpoint retention now.",
        discussion: "Keeps the newest N (the daemon's --checkpoint-retention), the head, branch tips, labelled checkpoints and the newest N with open requests.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The instance.") var name: String

    func run() async throws {
        try await Session.run(options) { session in
            let deleted = try await session.client.pruneCheckpoints(of: name)
            if session.json {
                session.terminal.json(["deleted": .number(Double(deleted))])
            } else {
                session.terminal.line("deleted \(deleted) checkpoint\(deleted == 1 ? "" : "s") of \(name)")
            }
            return .success
        }
    }
}

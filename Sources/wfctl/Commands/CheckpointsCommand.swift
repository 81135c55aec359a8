import WorkflowProtocol
import WorkflowClient
import ArgumentParser
import WorkflowJSON

struct CheckpointsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "checkpoints", abstract: "List an instance's checkpoints, oldest first (* marks the head).")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The instance.") var name: String

    func run() async throws {
        try await Session.run(options) { session in
            let checkpoints = try await session.client.checkpoints(of: name)
            if session.json {
                session.terminal.json(["checkpoints": try JSONValueEncoder().encode(checkpoints)])
                return .success
            }
            let t = session.terminal
            var table = Table("", "CHECKPOINT", "LABEL", "REASON", "STEP", "STATUS", "REQUESTS", "MESSAGES", "TIME")
            for checkpoint in checkpoints {
                table.add(checkpoint.head ? t.styled("*", .bold) : " ", checkpoint.id, checkpoint.label ?? "", checkpoint.reason.rawValue, "\(checkpoint.superstep)",
                          t.status(checkpoint.status), "\(checkpoint.openRequests)", "\(checkpoint.messagesInFlight)", Time.relative(checkpoint.time))
            }
            t.line(table.render(t))
            return .success
        }
    }
}

import ArgumentParser
import WorkflowClient
import WorkflowJSON
import WorkflowProtocol

struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume", abstract: "Resume a paused instance: its stopped run goes on, then what was kept.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The instance.") var name: String

    func run() async throws {
        try await Session.run(options) { session in
            let info = try await session.client.resume(name)
            if session.json {
                session.terminal.json(try JSONValueEncoder().encode(info))
            } else {
                session.terminal.line("\(name) resumed" + (info.activeRunId.map { "; run \($0) goes on" } ?? ""))
            }
            return .success
        }
    }
}

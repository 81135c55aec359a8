import WorkflowProtocol
import WorkflowClient
import ArgumentParser
import WorkflowJSON

struct ReloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload", abstract: "Re-read the definitions directory; returns once the reload is done.",
        discussion: "systemd's ExecReload= calls this. A definition that no longer loads is reported (and its instances keep the version they pin); the reload itself still succeeds.")
    @OptionGroup var options: ClientOptions

    func run() async throws {
        try await Session.run(options) { session in
            let result = try await session.client.reload()
            if session.json {
                session.terminal.json(try JSONValueEncoder().encode(result))
                return .success
            }
            let t = session.terminal
            t.line("reloaded: \(result.definitions.count) definition\(result.definitions.count == 1 ? "" : "s") (\(result.definitions.joined(separator: ", ")))")
            for problem in result.errors { t.error(t.styled("✗ ", .red) + problem.description) }
            return .success
        }
    }
}

import WorkflowProtocol
import WorkflowClient
import ArgumentParser
import WorkflowJSON

struct DefinitionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "definitions", abstract: "List the loaded definitions, and the files that do not load.")
    @OptionGroup var options: ClientOptions

    func run() async throws {
        try await Session.run(options) { session in
            let result = try await session.client.definitions()
            if session.json {
                session.terminal.json(try JSONValueEncoder().encode(result))
                return .success
            }
            let t = session.terminal
            var table = Table("NAME", "EXECUTORS", "VERSION", "DESCRIPTION")
            for definition in result.definitions {
                table.add(definition.name, "\(definition.executors.count)", String(definition.hash.prefix(12)), definition.description ?? "")
            }
            t.line(table.render(t))
            for problem in result.errors { t.line(t.styled("✗ ", .red) + problem.description) }
            return .success
        }
    }
}

import WorkflowProtocol
import WorkflowClient
import ArgumentParser
import WorkflowJSON

struct DefinitionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "definition", abstract: "Look at one definition.",
                                                    subcommands: [Show.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a definition: its executors and document.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The definition's name.") var name: String

        func run() async throws {
            try await Session.run(options) { session in
                let info = try await session.client.definition(name)
                if session.json {
                    session.terminal.json(try JSONValueEncoder().encode(info))
                    return .success
                }
                let t = session.terminal
                t.line(t.styled(info.name, .bold) + (info.description.map { " — \($0)" } ?? ""))
                t.line("  version  \(info.hash)")
                t.line("  file     \(info.file)")
                t.line("  start    \(info.start)")
                var table = Table("EXECUTOR", "KIND")
                for executor in info.executors { table.add(executor.id, executor.kind) }
                t.line()
                t.line(table.render(t))
                if let document = info.document {
                    t.line()
                    t.line(document.prettyPrinted())
                }
                return .success
            }
        }
    }
}

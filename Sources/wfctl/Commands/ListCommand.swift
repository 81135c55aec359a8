import WorkflowClient
import ArgumentParser
import WorkflowJSON
import WorkflowProtocol

struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the instances you may see (root sees all).")
    @OptionGroup var options: ClientOptions
    @Option(name: .long, help: "Only instances of this definition.") var definition: String?
    @Option(name: .long, help: "At most this many.") var limit: Int = 10_000

    func run() async throws {
        try await Session.run(options) { session in
            var all: [InstanceInfo] = []
            var after: String?
            repeat {
                let page = try await session.client.instances(definition: definition, after: after, limit: min(1000, max(1, limit - all.count)))
                all += page.instances
                after = page.next
            } while after != nil && all.count < limit
            if session.json {
                session.terminal.json(["instances": try JSONValueEncoder().encode(all)])
                return .success
            }
            let t = session.terminal
            var table = Table("NAME", "DEFINITION", "STATUS", "OWNER", "CREATED")
            for instance in all {
                let definition = instance.definition + (instance.upgradeAvailable == true ? t.styled(" (upgrade available)", .dim) : "")
                let status = t.status(instance.status) + (instance.paused != nil ? t.styled(" (paused)", .yellow) : "")
                table.add(instance.name, definition, status, "\(instance.owner)", Time.relative(instance.createdAt))
            }
            t.line(table.render(t))
            return .success
        }
    }
}

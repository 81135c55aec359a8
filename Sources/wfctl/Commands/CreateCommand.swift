import WorkflowProtocol
import WorkflowClient
import ArgumentParser
import WorkflowJSON

struct CreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create an instance from a loaded definition.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The new instance's name.") var name: String
    @Argument(help: "The definition to create it from.") var definition: String
    @Option(name: .long, help: ArgumentHelp("What a run started while another is active does: reject or queue.", valueName: "policy"))
    var onBusy: OnBusy?

    enum OnBusy: String, ExpressibleByArgument, CaseIterable { case reject, queue }

    func run() async throws {
        try await Session.run(options) { session in
            let info = try await session.client.createInstance(name, definition: definition, onBusy: onBusy.flatMap { BusyPolicyValue(rawValue: $0.rawValue) })
            if session.json {
                session.terminal.json(try JSONValueEncoder().encode(info))
            } else {
                session.terminal.line("created \(info.name) (definition \(info.definition), version \(info.definitionHash.prefix(12)), on busy: \(info.onBusy))")
            }
            return .success
        }
    }
}

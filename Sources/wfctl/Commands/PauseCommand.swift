import ArgumentParser
import WorkflowClient
import WorkflowJSON
import WorkflowProtocol

struct PauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause", abstract: "Pause an instance: its run stops at the next boundary, nothing starts until it is resumed.",
        discussion: """
        The active run finishes the superstep in flight and stops there (it stays in progress); wfctl returns once it \
        has. While paused, no run starts (run.start is queued on an instance that queues, else refused), waits do not \
        fire and schedules' fires are queued or skipped; answers and signals are still accepted and kept. A restart \
        keeps the instance paused. `wfctl resume` goes on.
        """)
    @OptionGroup var options: ClientOptions
    @Argument(help: "The instance.") var name: String
    @Option(name: .long, help: "Why (shown by wfctl show).") var reason: String?

    func run() async throws {
        try await Session.run(options) { session in
            let info = try await session.client.pause(name, reason: reason)
            if session.json {
                session.terminal.json(try JSONValueEncoder().encode(info))
            } else {
                session.terminal.line("\(name) paused" + (info.activeRunId == nil ? "" : "; run \(info.activeRunId!) stopped at its boundary"))
            }
            return .success
        }
    }
}

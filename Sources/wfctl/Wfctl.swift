import ArgumentParser
import WorkflowProtocol

/// `wfctl`: drives workflowd from a shell.
@main
struct Wfctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wfctl",
        abstract: "Drive workflowd: start runs, follow them, answer their questions, reset, checkpoint, rewind and fork instances.",
        discussion: """
        Output is for people (tables, relative times, colour on a terminal unless NO_COLOR is set); \
        --json prints one JSON document per result, one JSON line per event when following.

        EXAMPLES:
          wfctl run review --input '{"topic": "Swift"}' --follow
          wfctl pending
          wfctl respond review            (walks the open requests, on a terminal)
          wfctl graph review --format mermaid

        EXIT STATUS:
        \(ExitStatus.table)
        """,
        version: RPCCatalogue.version,
        groupedSubcommands: [
            CommandGroup(name: "Runs", subcommands: [RunCommand.self, EventsCommand.self, PendingCommand.self, RespondCommand.self, ConsoleCommand.self, MCPCommand.self,
                                                     SignalCommand.self, CancelCommand.self, RunsCommand.self, RetryCommand.self]),
            CommandGroup(name: "Instances", subcommands: [CreateCommand.self, ListCommand.self, ShowCommand.self, DeleteCommand.self,
                                                          ResetCommand.self, PauseCommand.self, ResumeCommand.self, GraphCommand.self]),
            CommandGroup(name: "Checkpoints", subcommands: [CheckpointsCommand.self, CheckpointCommand.self, RewindCommand.self,
                                                            ForkCommand.self, PruneCommand.self]),
            CommandGroup(name: "Definitions", subcommands: [DefinitionsCommand.self, DefinitionCommand.self, ValidateCommand.self]),
            CommandGroup(name: "Schedules", subcommands: [ScheduleCommand.self]),
            CommandGroup(name: "Daemon", subcommands: [StatusCommand.self, TopCommand.self, MetricsCommand.self, ReloadCommand.self]),
        ]
    )

    /// The client's options may also come before the command, as systemctl's do
    /// (`wfctl --socket PATH status`): they are moved after it before parsing.
    static func main() async {
        await main(GlobalOptions.movedAfterCommand(Array(CommandLine.arguments.dropFirst())))
    }
}

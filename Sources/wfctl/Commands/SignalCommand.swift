import ArgumentParser
import WorkflowClient
import WorkflowJSON
import WorkflowProtocol

struct SignalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signal", abstract: "Send an instance a named signal.",
        discussion: """
        The signal wakes the first wait armed for its name (a `wait` step with `signal:`): the active run delivers it at \
        its next boundary, or a run starts that does. When no wait is armed for it yet, the daemon keeps it for the \
        first that will be. Either way it is stored before wfctl returns.
        """)
    @OptionGroup var options: ClientOptions
    @Argument(help: "The instance.") var name: String
    @Argument(help: "The signal's name.") var signal: String
    @Argument(help: ArgumentHelp("What it carries: JSON, @FILE, or - for standard input (default null).", valueName: "payload")) var payload: String?
    @Flag(name: .long, help: "Follow the run the signal goes to.") var follow = false

    func run() async throws {
        try await Session.run(options) { session in
            let client = session.client
            let value = try payload.map { try InputArgument.read($0, what: "the payload") } ?? .null
            let after = follow ? (try await client.instance(name).nextSeq ?? 1) - 1 : nil
            let result = try await client.signal(name, signal, payload: value, traceparent: Session.traceparent)
            if session.json {
                if !follow { session.terminal.json(try JSONValueEncoder().encode(result)) }
            } else if result.delivered, let runId = result.runId {
                session.terminal.line("signal \(signal) woke \(result.waitId ?? "a wait"); " + (result.startedRun ? "run \(runId) delivers it" : "it goes to the active run \(runId)"))
            } else {
                session.terminal.line("signal \(signal) kept: no wait is armed for it yet, the first that is takes it")
            }
            if follow, let runId = result.runId {
                return try await Follower(session: session, instance: name, runId: runId).follow(after: after)
            }
            return .success
        }
    }
}

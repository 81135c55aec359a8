import ArgumentParser
import WorkflowClient
import WorkflowJSON
import WorkflowProtocol

struct RetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry", abstract: "Take up the work an instance's failed or cancelled run left, in a new run.",
        discussion: """
        The new run (trigger retry) continues from the instance's last checkpoint: the superstep that failed runs \
        again, with a fresh superstep budget. The failed run stays failed in the history. wfctl runs --failed lists \
        the failed runs of every instance you may see.
        """)
    @OptionGroup var options: ClientOptions
    @Argument(help: "The instance.") var name: String
    @Flag(name: .long, help: "Wait for the run to end, and exit with its outcome.") var wait = false
    @Flag(name: .long, help: "Follow the run.") var follow = false

    func validate() throws {
        if follow && wait { throw ValidationError("--follow and --wait do not go together (--follow waits too)") }
    }

    func run() async throws {
        try await Session.run(options) { session in
            let client = session.client
            let after = follow ? (try await client.instance(name).nextSeq ?? 1) - 1 : nil
            let run = try await client.retryRun(on: name, wait: wait)
            if follow {
                return try await Follower(session: session, instance: name, runId: run.runId).follow(after: after)
            }
            if session.json {
                session.terminal.json(try JSONValueEncoder().encode(run))
            } else if wait {
                RunPrinter(terminal: session.terminal).print(run)
            } else {
                session.terminal.line("run \(run.runId) retries the work \(name)'s last run left")
            }
            return wait ? ExitStatus.of(runStatus: run.status) : .success
        }
    }
}

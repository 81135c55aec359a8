import ArgumentParser
import WorkflowClient
import WorkflowJSON
import WorkflowProtocol

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Start a run on an instance (creating the instance if it does not exist).",
        discussion: """
        An instance that does not exist is created from --definition, or from the definition with the instance's name. \
        Without --follow or --wait, wfctl returns once the run's start is durable. With either, it exits with the run's \
        outcome: 0 finished, 2 failed, 3 cancelled, 4 waiting for a person.
        """)
    @OptionGroup var options: ClientOptions
    @Argument(help: "The instance.") var name: String
    @Option(name: .long, help: "Create a missing instance from this definition (default: the definition named like the instance).")
    var definition: String?
    @Option(name: .long, help: ArgumentHelp("The input: JSON, @FILE, or - for standard input (default null).", valueName: "json"))
    var input: String?
    @Flag(name: .long, help: "Show the run as it happens and end with its outcome.") var follow = false
    @Flag(name: .long, help: "Wait for the run to end and show its outcome.") var wait = false
    @Option(name: .long, help: "A key that makes the start idempotent: the same key returns the same run.") var idempotencyKey: String?

    func validate() throws {
        if follow && wait { throw ValidationError("--follow and --wait do not go together (--follow waits too)") }
    }

    func run() async throws {
        try await Session.run(options) { session in
            let value = try input.map { try InputArgument.read($0, what: "the input") } ?? .null
            let client = session.client
            if follow {
                let after = try await Self.prepare(name, definition: definition ?? name, client)
                let run = try await client.startRun(on: name, input: value, idempotencyKey: idempotencyKey, traceparent: Session.traceparent)
                if !session.json, run.disposition == .queued {
                    session.terminal.line(session.terminal.styled("run \(run.runId) queued (position \(run.position ?? 0))", .dim))
                }
                return try await Follower(session: session, instance: name, runId: run.runId).follow(after: after)
            }
            let run: RunInfo
            do {
                run = try await client.startRun(on: name, input: value, idempotencyKey: idempotencyKey, wait: wait, traceparent: Session.traceparent)
            } catch where error.isRPC(.instanceNotFound) {
                run = try await client.startRun(on: name, input: value, definition: definition ?? name, idempotencyKey: idempotencyKey, wait: wait,
                                            traceparent: Session.traceparent)
            }
            if session.json {
                session.terminal.json(try JSONValueEncoder().encode(run))
            } else {
                RunPrinter(terminal: session.terminal).print(run)
            }
            return wait ? ExitStatus.of(runStatus: run.status) : .success
        }
    }

    /// Makes sure the instance exists (creating it from `definition`), and returns the seq to
    /// follow from: the last event before the run.
    static func prepare(_ name: String, definition: String, _ client: WorkflowClient) async throws -> UInt64 {
        do {
            let info = try await client.instance(name)
            return (info.nextSeq ?? 1) - 1
        } catch where error.isRPC(.instanceNotFound) {
            do {
                _ = try await client.createInstance(name, definition: definition)
            } catch where error.isRPC(.instanceExists) {
                // Someone else created it meanwhile: follow it all the same.
            }
            return ((try await client.instance(name)).nextSeq ?? 1) - 1
        }
    }
}

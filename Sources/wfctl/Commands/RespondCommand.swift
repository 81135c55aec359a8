import ArgumentParser
import JSONSchema
import WorkflowClient
import WorkflowJSON
import WorkflowProtocol

struct RespondCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "respond", abstract: "Answer a request a run raised for a person.",
        discussion: """
        The response is checked against the request's JSON Schema here first (and again by the daemon); a rejected \
        response leaves the request open. With one open request, its id may be left out. Without a response, on a \
        terminal, wfctl walks the open requests: it shows each one's payload and schema and reads the answer.
        """)
    @OptionGroup var options: ClientOptions
    @Argument(help: "The instance.") var name: String
    @Argument(help: "The request's id (default: the only open request).") var requestId: String?
    @Argument(help: ArgumentHelp("The response: JSON, @FILE, or - for standard input.", valueName: "response")) var response: String?
    @Flag(name: .long, help: "Wait for the run the response goes to, and exit with its outcome.") var wait = false
    @Flag(name: .long, help: "Follow the run the response goes to.") var follow = false

    func validate() throws {
        if follow && wait { throw ValidationError("--follow and --wait do not go together (--follow waits too)") }
    }

    func run() async throws {
        try await Session.run(options) { session in
            let client = session.client
            let open = try await client.requests(of: name)
            var id = requestId
            var answer = response
            if let given = id, answer == nil, !open.contains(where: { $0.id == given }), InputArgument.looksLikeValue(given) {
                answer = given
                id = nil
            }
            let after = follow ? (try await client.instance(name).nextSeq ?? 1) - 1 : nil
            let result: RequestMethods.Respond.Result
            if let answer {
                let request = try Self.pick(id, from: open, instance: name)
                let value = try InputArgument.read(answer, what: "the response")
                if let request, let problems = Self.problems(value, request), !problems.isEmpty {
                    throw Failure(.invalidInput, "the response does not fit request \(request.id)'s schema:\n" + problems,
                                  hint: "It expects " + SchemaSummary.describe(request.schema) + ", e.g. " + SchemaExample.value(for: request.schema).serialized())
                }
                result = try await client.respond(on: name, to: request?.id ?? id ?? "", with: value, traceparent: Session.traceparent)
                report(result, session: session, request: request?.id ?? id ?? "")
            } else {
                guard session.terminal.inputIsTTY else {
                    throw Failure(.usage, "give a response (JSON, @FILE, or - for standard input); only on a terminal does wfctl ask for it")
                }
                guard let walked = try await Interactive(session: session, instance: name).walk(open.filter { id == nil || $0.id == id }) else {
                    return .success
                }
                result = walked
            }
            if follow {
                return try await Follower(session: session, instance: name, runId: result.runId).follow(after: after)
            }
            if wait {
                let run = try await client.waitForRun(on: name, runId: result.runId)
                if session.json { session.terminal.json(try JSONValueEncoder().encode(run)) } else { RunPrinter(terminal: session.terminal).print(run) }
                return ExitStatus.of(runStatus: run.status)
            }
            return .success
        }
    }

    private func report(_ result: RequestMethods.Respond.Result, session: Session, request: String) {
        if session.json {
            if !wait && !follow { session.terminal.json(["accepted": true, "requestId": .string(request), "runId": .string(result.runId), "startedRun": .bool(result.startedRun)]) }
        } else {
            session.terminal.line("response to \(request) accepted; " + (result.startedRun ? "run \(result.runId) continues the instance" : "it goes to the active run \(result.runId)"))
        }
    }

    /// The request an answer is for.
    static func pick(_ id: String?, from open: [RequestInfo], instance: String) throws -> RequestInfo? {
        if let id { return open.first { $0.id == id } }  // unknown ids: the daemon says why
        switch open.count {
        case 0: throw Failure(.notFound, "\(instance) has no open request")
        case 1: return open[0]
        default:
            throw Failure(.usage, "\(instance) has \(open.count) open requests; say which: " + open.map(\.id).joined(separator: ", "),
                          hint: "wfctl pending \(instance) lists them")
        }
    }

    /// Why a value does not fit a request's schema, in words (nil if the schema cannot be used here).
    static func problems(_ value: JSON, _ request: RequestInfo) -> String? {
        guard let schema = try? JSONSchema(request.schema) else { return nil }
        return schema.validate(value).prefix(10).map { problem in
            "  - " + (problem.instanceLocation.isEmpty ? "the response" : "at \(problem.instanceLocation)") + ": " + problem.message
        }.joined(separator: "\n")
    }
}

extension String {
    var trimmingSpaces: String {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }
}

import ArgumentParser
import JSONSchema
import WorkflowClient
import WorkflowJSON
import WorkflowProtocol

/// `respond` on a terminal: one request at a time, its payload and schema shown, the answer read
/// and checked before it is sent.
struct Interactive {
    let session: Session
    let instance: String

    func walk(_ requests: [RequestInfo]) async throws -> RequestMethods.Respond.Result? {
        let t = session.terminal
        guard !requests.isEmpty else { throw Failure(.notFound, "\(instance) has no open request") }
        var last: RequestMethods.Respond.Result?
        for (index, request) in requests.enumerated() {
            t.line(t.styled("Request \(index + 1) of \(requests.count): \(request.id)", .bold) + t.styled(" from \(request.executor), \(Time.relative(request.time))", .dim))
            t.line("  asks: " + (request.payload.stringValue ?? request.payload["prompt"]?.stringValue ?? request.payload.prettyPrinted(indent: 1)))
            t.line("  expects: " + SchemaSummary.describe(request.schema))
            t.line(t.styled("  schema: " + request.schema.serialized(), .dim))
            while true {
                t.write("answer (JSON, e.g. \(SchemaExample.value(for: request.schema).serialized()); empty line skips)> ")
                guard let line = readLine() else { t.line(); return last }
                let text = line.trimmingSpaces
                if text.isEmpty {
                    t.line("skipped \(request.id)")
                    break
                }
                let value: JSON
                do {
                    value = try JSON(parsing: text)
                } catch {
                    t.line(t.styled("  that is not JSON: \(error)", .red) + " (a text needs quotes: \"yes\")")
                    continue
                }
                if let problems = RespondCommand.problems(value, request), !problems.isEmpty {
                    t.line(t.styled("  that answer does not fit:", .red) + "\n" + problems)
                    continue
                }
                do {
                    let result = try await session.client.respond(on: instance, to: request.id, with: value, traceparent: Session.traceparent)
                    t.line(t.styled("  ✓ accepted", .green) + "; " + (result.startedRun ? "run \(result.runId) continues the instance" : "it goes to the active run \(result.runId)"))
                    last = result
                    break
                } catch where error.isRPC(.responseInvalid) {
                    t.line(t.styled("  the daemon rejected it: ", .red) + ((error as? WorkflowClientError)?.message ?? "\(error)"))
                }
            }
        }
        return last
    }
}

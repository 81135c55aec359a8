import WorkflowClient
import WorkflowJSON
import WorkflowProtocol

/// An open request as people read it: who asks what, and the command that answers it.
struct RequestPrinter {
    let terminal: Terminal

    func print(_ request: RequestInfo, indent: String = "  ") {
        let t = terminal
        t.line(indent + t.styled("? ", .yellow, .bold) + t.styled(request.executor, .bold) + " asks" + promptText(request.payload)
               + t.styled("  (request \(request.id), \(Time.relative(request.time))"
                          + (request.expiresAt.map { ", times out " + Time.ahead($0) } ?? "") + ")", .dim))
        t.line(indent + "  answer: " + Self.command(request))
    }

    private func promptText(_ payload: JSON) -> String {
        if let text = payload.stringValue { return ": " + text }
        if let prompt = payload["prompt"]?.stringValue { return ": " + prompt }
        return ": " + payload.serialized()
    }

    /// `wfctl respond INSTANCE ID '<an answer that fits the schema>'`
    static func command(_ request: RequestInfo) -> String {
        let example = SchemaExample.value(for: request.schema).serialized()
        return "wfctl respond \(request.instance) \(request.id) '\(example.replacing("'", with: "'\\''"))'"
    }
}


import WorkflowJSON
import WorkflowProtocol

/// One open request in the inbox: what it asks (its prompt and the message it carries), when,
/// and a form built from its schema that posts the answer.
struct RequestCard {
    var request: RequestInfo
    /// What was posted, when the page shows it again with errors.
    var posted: FormFields?
    var errors: SchemaForm.Errors = [:]

    /// The fragment that names this request's card (`/inbox#…`).
    static func anchor(_ request: RequestInfo) -> String { HTML.id("request", request.instance, request.id) }

    var html: String {
        let anchor = Self.anchor(request)
        let form = SchemaForm(schema: request.schema, formID: anchor)
        let prompt = request.payload["prompt"]?.stringValue
        var message: JSON? = request.payload["message"] ?? (prompt == nil ? request.payload : Optional<JSON>.none)
        if message?.isNull == true { message = nil }
        var out = "<article class=\"request\" id=\"\(anchor)\" aria-labelledby=\"\(anchor)-title\">\n"
        out += "<h2 id=\"\(anchor)-title\">\(HTML.escape(prompt ?? "\(request.executor) asks for an answer"))</h2>\n"
        out += "<p class=\"meta\"><a href=\"/instances/\(HTML.segment(request.instance))\">\(HTML.escape(request.instance))</a> · \(HTML.escape(request.executor))"
            + " · asked <time datetime=\"\(HTML.escape(request.time))\">\(HTML.escape(request.time))</time>"
            + (request.expiresAt.map { " · expires <time datetime=\"\(HTML.escape($0))\">\(HTML.escape($0))</time>" } ?? "")
            + " · <code>\(HTML.escape(request.id))</code></p>\n"
        if let message {
            out += "<details class=\"message\" open><summary>What it is about</summary><pre>\(HTML.escape(Self.pretty(message)))</pre></details>\n"
        }
        out += "<form method=\"post\" action=\"/inbox/\(HTML.segment(request.instance))/\(HTML.segment(request.id))\" class=\"answer\" data-schema-form=\"1\">\n"
        out += form.fields(form: posted, errors: errors)
        out += "\n<button type=\"submit\" class=\"primary\">Send the answer</button>\n</form>\n</article>\n"
        return out
    }

    /// JSON as a person reads it: indented, keys sorted.
    static func pretty(_ value: JSON, indent: String = "") -> String {
        switch value {
        case .object(let object) where !object.isEmpty:
            let inner = indent + "  "
            return "{\n" + object.keys.sorted().map { inner + JSON.string($0).serialized() + ": " + pretty(object[$0] ?? nil, indent: inner) }.joined(separator: ",\n")
                + "\n" + indent + "}"
        case .array(let array) where !array.isEmpty:
            let inner = indent + "  "
            return "[\n" + array.map { inner + pretty($0, indent: inner) }.joined(separator: ",\n") + "\n" + indent + "]"
        default:
            return value.serialized()
        }
    }
}

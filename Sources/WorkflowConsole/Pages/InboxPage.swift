import WorkflowProtocol

/// `/inbox`: every open request the user may answer, across instances, oldest first, each with
/// its form.
struct InboxPage {
    var requests: [RequestInfo]
    /// The request whose answer was refused, with what was posted and the errors by field.
    var refused: (instance: String, id: String, posted: FormFields, errors: SchemaForm.Errors)?
    var notice: ConsolePage.Notice?

    var html: String {
        let ordered = requests.sorted { ($0.time, $0.instance, $0.id) < ($1.time, $1.instance, $1.id) }
        // The page's script compares this list with the inbox's now and then, to show new requests.
        let ids = ordered.map { HTML.escape($0.instance + "/" + $0.id) }.joined(separator: " ")
        var body = "<h1>Inbox</h1>\n<div id=\"inbox\" data-requests=\"\(ids)\" aria-live=\"polite\">\n"
        if ordered.isEmpty {
            body += "<p id=\"inbox-empty\">Nothing is waiting for you.</p>\n"
        } else {
            body += "<p>\(ordered.count) request\(ordered.count == 1 ? "" : "s") waiting for an answer, oldest first.</p>\n"
        }
        var instancesSeen = Set<String>()
        for request in ordered {
            if instancesSeen.insert(request.instance).inserted {
                // A target for the instances page's links ("2 open requests" → the first of them).
                body += "<span id=\"instance-\(HTML.id(request.instance))\"></span>"
            }
            var card = RequestCard(request: request)
            if let refused, refused.instance == request.instance, refused.id == request.id {
                card.posted = refused.posted
                card.errors = refused.errors
            }
            body += card.html
        }
        body += "</div>\n"
        return ConsolePage(title: "Inbox", section: .inbox, notice: notice, body: body).html
    }
}

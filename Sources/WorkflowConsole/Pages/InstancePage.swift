import WorkflowClient
import WorkflowGraph
import WorkflowJSON
import WorkflowProtocol

/// `/instances/NAME`: one instance. Its live part (status, open requests, graph with live marks,
/// runs, checkpoint timeline) is also served alone (`/instances/NAME/live`) for the page's script
/// to swap in when an event arrives; the events themselves come as server-sent events.
struct InstancePage {
    var instance: InstanceInfo
    var runs: [RunInfo]
    var checkpoints: [CheckpointInfo]
    var graph: WorkflowGraph
    var graphState: GraphState
    /// The latest events, oldest first.
    var events: [WorkflowClient.Event]
    var notice: ConsolePage.Notice?

    private var path: String { "/instances/" + HTML.segment(instance.name) }

    var html: String {
        let lastSeq = events.last?.seq ?? (instance.nextSeq.map { $0 > 0 ? $0 - 1 : 0 } ?? 0)
        var body = "<h1>\(HTML.escape(instance.name))</h1>\n"
        body += "<div id=\"live\" data-live=\"\(path)/live\" aria-live=\"polite\">\n\(live)</div>\n"
        body += """
            <section aria-labelledby="start-heading">
            <h2 id="start-heading">Start a run</h2>
            <form method="post" action="\(path)/runs" class="inline-form">
            <label for="run-input">Input (JSON; empty for null)</label>
            <textarea id="run-input" name="input" rows="2" spellcheck="false"></textarea>
            <button type="submit">Start a run</button>
            </form>
            </section>
            <section aria-labelledby="events-heading">
            <h2 id="events-heading">Events</h2>
            <p class="hint" id="events-state">The latest events; new ones appear as they happen (with JavaScript on; otherwise reload the page).</p>
            <ol class="events" id="events" data-stream="\(path)/events" data-after="\(lastSeq)">

            """
        for event in events { body += Self.eventLine(event) }
        body += "</ol>\n</section>\n"
        return ConsolePage(title: instance.name, section: .none, notice: notice, body: body).html
    }

    /// The part of the page that changes as the instance runs.
    var live: String {
        var out = "<section aria-labelledby=\"state-heading\">\n<h2 id=\"state-heading\" class=\"visually-hidden\">State</h2>\n<dl class=\"facts\">"
        out += "<div><dt>Status</dt><dd id=\"instance-status\">\(InstancesPage.status(instance))</dd></div>"
        out += "<div><dt>Definition</dt><dd>\(HTML.escape(instance.definition))\(instance.upgradeAvailable == true ? " <span class=\"hint\">(a newer version is loaded; a reset with upgrade uses it)</span>" : "")</dd></div>"
        out += "<div><dt>Active run</dt><dd id=\"active-run\">\(instance.activeRunId.map { "<code>\(HTML.escape($0))</code>" } ?? "none")</dd></div>"
        if let paused = instance.paused {
            out += "<div><dt>Paused</dt><dd>since \(HTML.escape(paused.pausedAt))\(paused.reason.map { ": " + HTML.escape($0) } ?? "")</dd></div>"
        }
        if let timer = (instance.waits ?? []).compactMap(\.due).min() {
            out += "<div><dt>Next timer</dt><dd><time datetime=\"\(HTML.escape(timer))\">\(HTML.escape(timer))</time></dd></div>"
        }
        if let origin = instance.forkedFrom {
            out += "<div><dt>Forked from</dt><dd><a href=\"/instances/\(HTML.segment(origin.instance))\">\(HTML.escape(origin.instance))</a> at <code>\(HTML.escape(origin.checkpointId))</code></dd></div>"
        }
        out += "</dl>\n"
        let requests = instance.openRequests ?? []
        if !requests.isEmpty {
            out += "<p class=\"callout\" id=\"open-requests\">Waiting on a person: "
            out += requests.map { "<a href=\"/inbox#\(RequestCard.anchor($0))\">\(HTML.escape($0.executor))</a>" }.joined(separator: ", ")
            out += "</p>\n"
        }
        out += """
            <form method="post" action="\(path)/reset" class="actions" data-confirm="Reset \(HTML.escape(instance.name)) to a clean slate? Its state, open requests and queued runs are discarded (its checkpoints stay, to rewind to).">
            <input type="hidden" name="cancel" value="true">
            <button type="submit" class="danger">Reset to a clean slate</button>
            </form>
            </section>

            """
        out += "<section aria-labelledby=\"graph-heading\">\n<h2 id=\"graph-heading\">Graph</h2>\n"
        out += "<p class=\"legend\"><span class=\"key visited\">on the last run's path</span> <span class=\"key holding\">holding messages</span> <span class=\"key waiting\">waiting on a person</span></p>\n"
        out += "<div class=\"graph\">" + GraphRenderer.render(graph, state: graphState, as: .svg) + "</div>\n</section>\n"
        out += runsSection + checkpointsSection
        return out
    }

    private var runsSection: String {
        var out = "<section aria-labelledby=\"runs-heading\">\n<h2 id=\"runs-heading\">Runs</h2>\n"
        guard !runs.isEmpty else { return out + "<p>No runs yet.</p>\n</section>\n" }
        out += """
            <div class="table"><table id="runs">
            <thead><tr><th scope="col">Run</th><th scope="col">Status</th><th scope="col">Trigger</th><th scope="col">Started</th><th scope="col">Ended</th><th scope="col">Outcome</th></tr></thead>
            <tbody>

            """
        for run in runs {
            var outcome = ""
            if let error = run.error { outcome = HTML.escape(error["message"]?.stringValue ?? error.serialized()) }
            else if let outputs = run.outputs, !outputs.isEmpty { outcome = "<code>" + HTML.escape(Self.short(outputs.map { $0.serialized() }.joined(separator: ", "))) + "</code>" }
            else if let pending = run.pendingRequests, !pending.isEmpty { outcome = "\(pending.count) open request\(pending.count == 1 ? "" : "s")" }
            out += "<tr data-run=\"\(HTML.escape(run.runId))\"><th scope=\"row\"><code>\(HTML.escape(run.runId))</code></th>"
                + "<td class=\"run-status\"><span class=\"status status-\(HTML.escape(run.status.rawValue))\">\(HTML.escape(run.status.rawValue))</span></td>"
                + "<td>\(HTML.escape(run.trigger?.rawValue ?? "—"))</td><td>\(HTML.escape(run.startedAt ?? "—"))</td><td>\(HTML.escape(run.endedAt ?? "—"))</td>"
                + "<td>\(outcome.isEmpty ? "—" : outcome)</td></tr>\n"
        }
        return out + "</tbody></table></div>\n</section>\n"
    }

    private var checkpointsSection: String {
        var out = """
            <section aria-labelledby="checkpoints-heading">
            <h2 id="checkpoints-heading">Checkpoints</h2>
            <form method="post" action="\(path)/checkpoints" class="inline-form">
            <label for="checkpoint-label">Label</label>
            <input type="text" id="checkpoint-label" name="label" maxlength="200">
            <button type="submit">Take a checkpoint now</button>
            </form>

            """
        guard !checkpoints.isEmpty else { return out + "<p>No checkpoints yet.</p>\n</section>\n" }
        out += "<ol class=\"timeline\" id=\"checkpoints\">\n"
        // Newest first: the one a person most likely rewinds to is at the top. (Times are to the
        // millisecond: within one, the later superstep is the later checkpoint.)
        for checkpoint in checkpoints.sorted(by: { ($0.time, $0.superstep) > ($1.time, $1.superstep) }) {
            let short = String(checkpoint.id.prefix(12))
            let forkID = HTML.id("fork", checkpoint.id)
            out += "<li data-checkpoint=\"\(HTML.escape(checkpoint.id))\"\(checkpoint.head ? " class=\"head\"" : "")>"
            out += "<div class=\"when\"><time datetime=\"\(HTML.escape(checkpoint.time))\">\(HTML.escape(checkpoint.time))</time>"
                + (checkpoint.head ? " <span class=\"badge\">current</span>" : "") + "</div>"
            out += "<div class=\"what\">" + (checkpoint.label.map { "<strong>\(HTML.escape($0))</strong> · " } ?? "")
                + "\(HTML.escape(checkpoint.reason.rawValue)) after superstep \(checkpoint.superstep) · \(HTML.escape(checkpoint.status.rawValue))"
                + (checkpoint.openRequests > 0 ? " · \(checkpoint.openRequests) open request\(checkpoint.openRequests == 1 ? "" : "s")" : "")
                + " · <code title=\"\(HTML.escape(checkpoint.id))\">\(HTML.escape(short))</code></div>"
            out += "<div class=\"actions\">"
            out += "<form method=\"post\" action=\"\(path)/rewind\" data-confirm=\"Rewind \(HTML.escape(instance.name)) to checkpoint \(HTML.escape(short))? What happened after it is left behind (its checkpoints stay).\">"
                + "<input type=\"hidden\" name=\"checkpoint\" value=\"\(HTML.escape(checkpoint.id))\"><button type=\"submit\">Rewind here</button></form>"
            out += "<form method=\"post\" action=\"\(path)/fork\" data-confirm=\"Fork a new instance from checkpoint \(HTML.escape(short))?\">"
                + "<input type=\"hidden\" name=\"checkpoint\" value=\"\(HTML.escape(checkpoint.id))\">"
                + "<label for=\"\(forkID)\">New instance</label><input type=\"text\" id=\"\(forkID)\" name=\"as\" required pattern=\"[A-Za-z0-9][A-Za-z0-9._-]*\" size=\"14\">"
                + "<button type=\"submit\">Fork</button></form>"
            out += "</div></li>\n"
        }
        return out + "</ol>\n</section>\n"
    }

    /// One event as a line of the events list (the page's script makes the same from the stream).
    static func eventLine(_ event: WorkflowClient.Event) -> String {
        var detail = event.json
        for key in ["seq", "type", "instance", "time", "runId"] { detail = Self.removing(key, from: detail) }
        return "<li data-seq=\"\(event.seq)\"><span class=\"seq\">\(event.seq)</span> <span class=\"type\">\(HTML.escape(event.type))</span>"
            + " <code>\(HTML.escape(Self.short(detail.serialized())))</code></li>\n"
    }

    private static func removing(_ key: String, from value: JSON) -> JSON {
        guard case .object(var object) = value else { return value }
        object[key] = nil
        return .object(object)
    }

    static func short(_ text: String, limit: Int = 240) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }
}

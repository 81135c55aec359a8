import WorkflowProtocol

/// `/`: the instances the user may see, with their status, open requests, active run and next
/// timer; then the schedules.
struct InstancesPage {
    var instances: [InstanceInfo]
    /// Each instance's latest run, where it has one.
    var lastRuns: [String: RunInfo]
    /// Whether the daemon had more than the page shows.
    var truncated: Bool
    var schedules: [ScheduleInfo]
    var openRequests: Int

    var html: String {
        var body = "<h1>Instances</h1>\n"
        if openRequests > 0 {
            body += "<p class=\"callout\"><a href=\"/inbox\">\(openRequests) open request\(openRequests == 1 ? "" : "s") waiting for an answer</a></p>\n"
        }
        if instances.isEmpty {
            body += "<p>No instances yet. Create one with <code>wfctl create NAME --definition DEFINITION</code>.</p>\n"
        } else {
            body += """
                <div class="table"><table>
                <caption class="visually-hidden">Instances</caption>
                <thead><tr><th scope="col">Instance</th><th scope="col">Definition</th><th scope="col">Status</th><th scope="col">Open requests</th><th scope="col">Last run</th><th scope="col">Next timer</th></tr></thead>
                <tbody>

                """
            for instance in instances {
                let requests = instance.openRequests?.count ?? 0
                let timer = (instance.waits ?? []).compactMap(\.due).min()
                body += "<tr><th scope=\"row\"><a href=\"/instances/\(HTML.segment(instance.name))\">\(HTML.escape(instance.name))</a></th>"
                    + "<td>\(HTML.escape(instance.definition))</td>"
                    + "<td>\(Self.status(instance))</td>"
                    + "<td>\(requests == 0 ? "—" : "<a href=\"/inbox#instance-\(HTML.id(instance.name))\">\(requests)</a>")</td>"
                    + "<td>\(lastRuns[instance.name].map { "<span class=\"status status-\(HTML.escape($0.status.rawValue))\">\(HTML.escape($0.status.rawValue))</span> <code>\(HTML.escape($0.runId))</code>" } ?? "—")</td>"
                    + "<td>\(timer.map { "<time datetime=\"\(HTML.escape($0))\">\(HTML.escape($0))</time>" } ?? "—")</td></tr>\n"
            }
            body += "</tbody></table></div>\n"
            if truncated { body += "<p class=\"hint\">Only the first \(instances.count) instances are shown (wfctl list shows them all).</p>\n" }
        }
        body += "<h2>Schedules</h2>\n"
        if schedules.isEmpty {
            body += "<p>No schedules.</p>\n"
        } else {
            body += """
                <div class="table"><table>
                <thead><tr><th scope="col">Schedule</th><th scope="col">Instance</th><th scope="col">When</th><th scope="col">State</th></tr></thead>
                <tbody>

                """
            for schedule in schedules {
                let when = schedule.cron.map { "cron <code>\(HTML.escape($0))</code>" } ?? schedule.every.map { "every \(HTML.escape($0))" } ?? "—"
                body += "<tr><th scope=\"row\">\(HTML.escape(schedule.name))</th>"
                    + "<td><a href=\"/instances/\(HTML.segment(schedule.instance))\">\(HTML.escape(schedule.instance))</a></td>"
                    + "<td>\(when)\(schedule.timeZone.map { " (\(HTML.escape($0)))" } ?? "")</td>"
                    + "<td>\(schedule.paused ? "paused" : "active")</td></tr>\n"
            }
            body += "</tbody></table></div>\n"
        }
        return ConsolePage(title: "Instances", section: .instances, body: body).html
    }

    /// An instance's status as a labelled badge (colour is never the only sign: the word is there).
    static func status(_ instance: InstanceInfo) -> String {
        var text = instance.status.rawValue
        if instance.paused != nil { text += ", paused" }
        return "<span class=\"status status-\(HTML.escape(instance.status.rawValue))\">\(HTML.escape(text))</span>"
    }
}

import WorkflowProtocol
import WorkflowClient
import WorkflowJSON

/// One event on one line: seq, time of day, type, run, and what matters of its fields.
struct EventFormatter {
    let terminal: Terminal

    func line(_ event: WorkflowClient.Event) -> String {
        let t = terminal
        let time = event["time"]?.stringValue.map { String($0.dropFirst(11).prefix(12)) } ?? ""
        var text = t.styled(String(event.seq).padding(6), .dim) + " " + t.styled(time.padding(12), .dim) + " " + type(event).padding(20)
        if let run = event.runId { text += " " + t.styled(run, .dim) }
        let detail = details(event)
        if !detail.isEmpty { text += "  " + detail }
        return text
    }

    private func type(_ event: WorkflowClient.Event) -> String {
        switch event.type {
        case "executor_failed", "run_failed": terminal.styled(event.type, .red)
        case "output": terminal.styled(event.type, .green)
        case "request": terminal.styled(event.type, .yellow)
        case "warning": terminal.styled(event.type, .yellow)
        default: event.type
        }
    }

    private func details(_ event: WorkflowClient.Event) -> String {
        func short(_ value: JSON?) -> String {
            let text = (value ?? .null).serialized()
            return text.count > 100 ? String(text.prefix(99)) + "…" : text
        }
        switch event.type {
        case "status": return terminal.status(event["status"]?.stringValue ?? "")
        case "run_started": return "trigger \(event["trigger"]?.stringValue ?? "?"), input " + short(event["input"])
        case "superstep_started", "superstep_completed": return "superstep \(event["superstep"]?.intValue ?? 0)"
        case "executor_invoked", "executor_completed": return (event["executor"]?.stringValue ?? "") + " (superstep \(event["superstep"]?.intValue ?? 0))"
        case "executor_failed": return (event["executor"]?.stringValue ?? "") + ": " + (event["error"]?.stringValue ?? short(event["error"]))
        case "output": return (event["executor"]?.stringValue ?? "") + " ⇒ " + short(event["value"])
        case "request":
            return "\(event["request"]?["executor"]?.stringValue ?? "") asks (request \(event["request"]?["id"]?.stringValue ?? "?")): " + short(event["request"]?["payload"])
        case "response_accepted": return "request \(event["requestId"]?.stringValue ?? "?"): " + short(event["response"])
        case "checkpoint_saved": return "\(event["checkpointId"]?.stringValue ?? "") (superstep \(event["superstep"]?.intValue ?? 0))"
        case "warning": return (event["executor"]?.stringValue.map { $0 + ": " } ?? "") + (event["reason"]?.stringValue ?? "")
        case "run_failed": return event["error"]?["message"]?.stringValue ?? short(event["error"])
        case "instance_rewound": return "to \(event["checkpointId"]?.stringValue ?? "?")"
        case "instance_forked": return "from \(event["fromInstance"]?.stringValue ?? "?") at \(event["checkpointId"]?.stringValue ?? "?")"
        case "custom": return (event["executor"]?.stringValue ?? "") + " " + (event["name"]?.stringValue ?? "") + " " + short(event["data"])
        default: return ""
        }
    }
}

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
        switch event.body {
        case .executorFailed, .runFailed: terminal.styled(event.type, .red)
        case .output: terminal.styled(event.type, .green)
        case .request, .warning: terminal.styled(event.type, .yellow)
        default: event.type
        }
    }

    private func details(_ event: WorkflowClient.Event) -> String {
        func short(_ value: JSON?) -> String {
            let text = (value ?? .null).serialized()
            return text.count > 100 ? String(text.prefix(99)) + "…" : text
        }
        switch event.body {
        case .status(let status): return terminal.status(status)
        case .runStarted(let trigger, let input): return "trigger \(trigger.isEmpty ? "?" : trigger), input " + short(input)
        case .superstepStarted(let superstep), .superstepCompleted(let superstep): return "superstep \(superstep)"
        case .executorInvoked(let executor, let superstep, _), .executorCompleted(let executor, let superstep):
            return executor + " (superstep \(superstep))"
        case .executorFailed(let executor, _, let error): return executor + ": " + error
        case .output(let executor, let value): return executor + " ⇒ " + short(value)
        case .request(let request):
            return "\(request["executor"]?.stringValue ?? "") asks (request \(request["id"]?.stringValue ?? "?")): " + short(request["payload"])
        case .responseAccepted(let requestId, _, let response): return "request \(requestId): " + short(response)
        case .checkpointSaved(let checkpointId, let superstep): return "\(checkpointId) (superstep \(superstep))"
        case .warning(let executor, let reason): return (executor.map { $0 + ": " } ?? "") + reason
        case .runFailed(let error): return error["message"]?.stringValue ?? short(error)
        case .instanceRewound(let checkpointId): return "to \(checkpointId)"
        case .instanceForked(let fromInstance, let checkpointId): return "from \(fromInstance) at \(checkpointId)"
        case .custom(let executor, let name, let data): return executor + " " + name + " " + short(data)
        case .timerFired(let executor, _, let scheduledFor, _, let lateByMs):
            return executor + ": due \(scheduledFor)" + (lateByMs > 0 ? ", \(lateByMs) ms late" : "")
        case .signalReceived(let name, let executor, _): return executor + " ← signal \(name)"
        case .requestTimedOut(let requestId, let executor, let expiredAt): return "\(executor)'s request \(requestId) timed out at \(expiredAt)"
        case .executorRetrying(let executor, _, let attempt, let attempts, let delayMs, let error, _):
            return "\(executor): try \(attempt) of \(attempts) failed (\(error)); again in \(Time.duration(Double(delayMs) / 1000))"
        case .llmMessage(let executor, let content, let toolCalls, let promptTokens, let completionTokens):
            let calls = (toolCalls?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
            return executor + ": " + short(content.map(JSON.string)) + (calls.isEmpty ? "" : " calls " + calls.joined(separator: ", "))
                + " (\(promptTokens)+\(completionTokens) tokens)"
        case .llmDelta(let executor, let content): return executor + " " + short(.string(content))
        case .instanceReset, .runRecovered, .unknown: return ""
        }
    }
}

import WorkflowClient
import WorkflowJSON
import WorkflowProtocol

/// Shows a run as it happens: one live line per superstep (rewritten in place on a terminal, one
/// finished line otherwise), outputs as they arrive, open requests with the command that answers
/// them, and the run's outcome at the end. With --json, one JSON line per event.
struct Follower {
    let session: Session
    let instance: String
    let runId: String

    private struct Step {
        var number: Int
        var started: Double
        var executors: [(id: String, state: Character)] = []
    }

    /// Follows the run from the log after `afterSeq` until it ends; returns how it ended.
    func follow(after afterSeq: UInt64?) async throws -> ExitStatus {
        let t = session.terminal
        var step: Step?
        var supersteps = 0
        var started: Double?
        var failure: String?
        var outputs = 0
        var requests: [String] = []

        // The executor whose streamed text is being written (the line is open).
        var streaming: String?

        func show(_ text: String) {
            if streaming != nil {
                t.write("\n")
                streaming = nil
            }
            if t.isTTY, step != nil { t.live("") }
            t.line(text)
            if t.isTTY, let step { t.write(stepLine(step)) }
        }

        for try await event in session.client.events(of: instance, after: afterSeq) {
            guard event.runId == runId else { continue }
            if session.json {
                t.jsonLine(event.json)
            }
            /// Marks executor `id` of the superstep on screen as finished (✓) or failed (✗).
            func mark(_ id: String, _ state: Character) {
                guard let index = step?.executors.lastIndex(where: { $0.id == id }) else { return }
                step!.executors[index].state = state
                if t.isTTY, !session.json, let step { t.live(stepLine(step)) }
            }
            switch event.body {
            case .runStarted(let trigger, _):
                started = event.time
                if !session.json {
                    show(t.styled("▶ run \(runId) on \(instance)", .bold) + t.styled(" (\(trigger.isEmpty ? "input" : trigger))", .dim))
                }
            case .runRecovered:
                if !session.json { show(t.styled("↻ run \(runId) resumed after a restart", .yellow)) }
            case .superstepStarted(let number):
                step = Step(number: number, started: event.time)
                if t.isTTY, !session.json, let step { t.write(stepLine(step)) }
            case .executorInvoked(let id, _, _):
                if step != nil {
                    step!.executors.append((id, "…"))
                    if t.isTTY, !session.json, let step { t.live(stepLine(step)) }
                }
            case .executorCompleted(let id, _):
                mark(id, "✓")
            case .executorFailed(let id, _, let error):
                mark(id, "✗")
                if !session.json { show(t.styled("  ✗ \(id) failed: \(error)", .red)) }
            case .superstepCompleted:
                supersteps += 1
                if let current = step, !session.json {
                    let line = stepLine(current) + t.styled("  \(Time.duration(max(0, event.time - current.started)))", .dim)
                    if t.isTTY { t.live(line + "\n") } else { t.line(line) }
                }
                step = nil
            case .output(let executor, let value):
                outputs += 1
                if !session.json { show("  " + t.styled("⇒ output", .green) + " from \(executor): " + value.serialized()) }
            case .request(let request):
                if let id = request["id"]?.stringValue {
                    requests.append(id)
                    if !session.json, let info = try? JSONValueDecoder().decode(RequestInfo.self, from: Self.requestInfo(request, event)) {
                        if t.isTTY, step != nil { t.live("") }
                        RequestPrinter(terminal: t).print(info)
                        if t.isTTY, let step { t.write(stepLine(step)) }
                    }
                }
            case .responseAccepted(let requestId, _, _):
                if !session.json { show(t.styled("  ← response to \(requestId) accepted", .dim)) }
            case .timerFired(let executor, _, let scheduledFor, _, let lateByMs):
                if !session.json {
                    show(t.styled("  ⏰ \(executor)'s wait fired (due \(scheduledFor)\(lateByMs > 0 ? ", \(lateByMs) ms late" : ""))", .dim))
                }
            case .signalReceived(let name, let executor, _):
                if !session.json { show(t.styled("  ← signal \(name) woke \(executor)", .dim)) }
            case .requestTimedOut(let requestId, let executor, _):
                if !session.json { show(t.styled("  ⏰ request \(requestId) timed out; \(executor) decides", .yellow)) }
            case .executorRetrying(let executor, _, let attempt, let attempts, let delayMs, let error, _):
                if !session.json {
                    show(t.styled("  ↻ \(executor): try \(attempt) of \(attempts) failed (\(error)); again in \(Time.duration(Double(delayMs) / 1000))", .yellow))
                }
            case .warning(let executor, let reason):
                if !session.json {
                    show(t.styled("  ! ", .yellow) + (reason.isEmpty ? "warning" : reason) + (executor.map { " (\($0))" } ?? ""))
                }
            case .runFailed(let error):
                failure = error["message"]?.stringValue ?? error.serialized()
            case .status(let status):
                guard status != "in_progress" else { continue }
                if !session.json {
                    if t.isTTY, step != nil { t.live("") }
                    let elapsed = started.map { " in " + Time.duration(max(0, event.time - $0)) } ?? ""
                    let steps = "\(supersteps) superstep\(supersteps == 1 ? "" : "s")\(elapsed)"
                    switch status {
                    case "idle":
                        t.line(t.styled("✓ run \(runId) finished", .green, .bold) + ": \(steps), \(outputs) output\(outputs == 1 ? "" : "s")")
                    case "idle_with_pending_requests":
                        t.line(t.styled("⏸ run \(runId) is waiting for a person", .yellow, .bold) + ": \(steps); answer with wfctl respond \(instance)")
                    case "waiting":
                        t.line(t.styled("⏸ run \(runId) is waiting for a time or a signal", .yellow, .bold) + ": \(steps)")
                    case "failed":
                        t.line(t.styled("✗ run \(runId) failed", .red, .bold) + ": \(failure ?? "see wfctl events \(instance)") (\(steps))")
                    case "cancelled":
                        t.line(t.styled("■ run \(runId) cancelled", .magenta, .bold) + " (\(steps))")
                    default:
                        t.line("run \(runId) ended: \(status)")
                    }
                }
                return ExitStatus.of(runStatus: status)
            case .llmDelta(let executor, let content):
                guard !session.json else { continue }
                if streaming != executor {
                    if streaming != nil { t.write("\n") } else if t.isTTY, step != nil { t.live("") }
                    t.write("  " + t.styled("✎ \(executor):", .cyan) + " ")
                    streaming = executor
                }
                t.write(content)
            case .llmMessage(let executor, let content, let toolCalls, let promptTokens, let completionTokens):
                guard !session.json else { continue }
                if streaming == executor {
                    t.write("\n")
                    streaming = nil
                    if t.isTTY, let step { t.write(stepLine(step)) }
                } else if let content, !content.isEmpty {
                    show("  " + t.styled("✎ \(executor):", .cyan) + " " + content)
                }
                let calls = (toolCalls?.arrayValue ?? []).compactMap { call -> String? in
                    guard let name = call["name"]?.stringValue else { return nil }
                    return name + "(" + (call["arguments"].map { $0.serialized() } ?? "") + ")"
                }
                let tools = calls.isEmpty ? "" : "; calls " + calls.joined(separator: ", ")
                show(t.styled("  · \(executor): \(promptTokens) prompt + \(completionTokens) completion tokens\(tools)", .dim))
            case .checkpointSaved, .instanceReset, .instanceRewound, .instanceForked, .custom, .unknown:
                break
            }

        }
        throw Failure(.notFound, "the instance \(instance) was deleted while its run was followed")
    }

    private func stepLine(_ step: Step) -> String {
        let t = session.terminal
        let executors = step.executors.map { executor -> String in
            switch executor.state {
            case "✓": return executor.id + t.styled(" ✓", .green)
            case "✗": return executor.id + t.styled(" ✗", .red)
            default: return executor.id + t.styled(" …", .dim)
            }
        }
        return t.styled("  step \(String(step.number).padding(3))", .dim) + " " + executors.joined(separator: "  ")
    }

    /// A `request` event's request as `RequestInfo`.
    static func requestInfo(_ request: JSON, _ event: WorkflowClient.Event) -> JSON {
        var object = request.objectValue ?? [:]
        object["instance"] = .string(event.instance)
        if object["runId"] == nil { object["runId"] = event.runId.map(JSON.string) ?? "" }
        if object["time"] == nil { object["time"] = event["time"] ?? "" }
        if object["superstep"] == nil { object["superstep"] = 0 }
        if object["payload"] == nil { object["payload"] = .null }
        if object["schema"] == nil { object["schema"] = [:] }
        return .object(object)
    }
}

import WorkflowClient
import WorkflowJSON
import WorkflowProtocol

/// A run as people read it.
struct RunPrinter {
    let terminal: Terminal

    func print(_ run: RunInfo) {
        let t = terminal
        switch run.disposition {
        case .queued?:
            t.line("run \(run.runId) queued on \(run.instance) (position \(run.position ?? 0))")
            return
        case .existing?:
            t.line("run \(run.runId) on \(run.instance) (already started with this idempotency key): " + t.status(run.status))
        default:
            if !run.isFinished {
                t.line("started run \(run.runId) on \(run.instance)")
                t.line(t.styled("  follow it: wfctl events \(run.instance) --follow", .dim))
                return
            }
            t.line("run \(run.runId) on \(run.instance): " + t.status(run.status) + (run.supersteps.map { " after \($0) superstep\($0 == 1 ? "" : "s")" } ?? ""))
        }
        for output in run.outputs ?? [] { t.line("  " + t.styled("⇒", .green) + " " + output.serialized()) }
        if let error = run.error {
            t.line("  " + t.styled("✗ ", .red) + (error["message"]?.stringValue ?? error.serialized()))
        }
        if let pending = run.pendingRequests, !pending.isEmpty {
            t.line("  waiting for a person: \(pending.joined(separator: ", ")); see wfctl pending \(run.instance)")
        }
    }
}

import WorkflowProtocol
import WorkflowClient
import ArgumentParser
import WorkflowJSON

struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show an instance: status, runs, open requests, waits, head checkpoint.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The instance.") var name: String

    func run() async throws {
        try await Session.run(options) { session in
            let info = try await session.client.instance(name)
            if session.json {
                session.terminal.json(try JSONValueEncoder().encode(info))
                return .success
            }
            let t = session.terminal
            t.line(t.styled(info.name, .bold) + "  " + t.status(info.status) + (info.paused != nil ? "  " + t.styled("paused", .yellow) : ""))
            var rows: [(String, String)] = [
                ("definition", "\(info.definition), version \(info.definitionHash.prefix(12))" + (info.upgradeAvailable == true ? " (a newer version is loaded: wfctl reset \(name) --upgrade)" : "")),
                ("owner", "uid \(info.owner)"), ("on busy", info.onBusy.rawValue), ("created", Time.relative(info.createdAt)),
            ]
            if let paused = info.paused {
                rows.append(("paused", Time.relative(paused.pausedAt) + (paused.reason.map { ": \($0)" } ?? "") + " (wfctl resume \(name) goes on)"))
            }
            if let run = info.activeRunId { rows.append(("active run", run)) }
            if let queued = info.queuedRunIds, !queued.isEmpty { rows.append(("queued runs", queued.joined(separator: ", "))) }
            if let head = info.head { rows.append(("head", head)) }
            if let superstep = info.superstep { rows.append(("superstep", "\(superstep)")) }
            if let next = info.nextSeq { rows.append(("next event", "\(next)")) }
            if let origin = info.forkedFrom { rows.append(("forked from", "\(origin.instance) at \(origin.checkpointId)")) }
            for wait in info.waits ?? [] {
                let until = [wait.due.map { "until " + $0 + " (" + Time.ahead($0) + ")" }, wait.signal.map { "for signal " + $0 }]
                    .compactMap { $0 }.joined(separator: " or ")
                rows.append(("wait", "\(wait.executor) \(until)"))
            }
            if let kept = info.keptSignals, !kept.isEmpty { rows.append(("kept signals", kept.joined(separator: ", "))) }
            for (key, value) in rows { t.line("  " + key.padding(12) + " " + value) }
            for request in info.openRequests ?? [] {
                t.line()
                RequestPrinter(terminal: t).print(request)
            }
            return .success
        }
    }
}

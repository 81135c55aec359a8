import WorkflowProtocol
import ArgumentParser
import WorkflowClient
import WorkflowJSON

struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events", abstract: "Show an instance's event log, or follow it live.",
        discussion: "Without --after, the whole log is shown (with --follow: its last 10 events, then live ones, as journalctl -f does). A follower survives a daemon restart: it resumes after the last event it showed.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The instance.") var name: String
    @Option(name: .long, help: "Only events after this seq.") var after: UInt64?
    @Flag(name: .long, help: "Keep showing events as they happen (Ctrl-C ends).") var follow = false

    func run() async throws {
        try await Session.run(options) { session in
            let client = session.client
            let t = session.terminal
            if follow {
                var start = after
                if start == nil {
                    let next = try await client.instance(name).nextSeq ?? 1
                    start = next > 11 ? next - 11 : 0
                }
                for try await event in client.events(of: name, after: start) {
                    if session.json { t.jsonLine(event.json) } else { t.line(EventFormatter(terminal: t).line(event)) }
                }
                return .success
            }
            var collected: [JSON] = []
            var cursor = after ?? 0
            while true {
                let page = try await client.readEvents(of: name, after: cursor, limit: 1000)
                if session.json {
                    collected += page.events
                } else {
                    for json in page.events {
                        if let event = WorkflowClient.Event(json) { t.line(EventFormatter(terminal: t).line(event)) }
                    }
                }
                if page.events.count < 1000 || page.lastSeq <= cursor { break }
                cursor = page.lastSeq
                if collected.count > 1_000_000 { break }
            }
            if session.json { t.json(["events": .array(collected)]) }
            return .success
        }
    }
}

import WorkflowClient
import ArgumentParser
import WorkflowJSON
import WorkflowProtocol

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show what the daemon holds and does.")
    @OptionGroup var options: ClientOptions

    func run() async throws {
        try await Session.run(options) { session in
            let status = try await session.client.status()
            if session.json {
                session.terminal.json(try JSONValueEncoder().encode(status))
                return .success
            }
            let t = session.terminal
            t.line(t.styled("workflowd \(status.version)", .bold) + " — up \(Time.duration(status.uptimeSeconds)) (pid \(status.pid))")
            var table = Table("", "")
            table.headers = []
            let rows: [(String, String)] = [
                ("socket", status.socket), ("state", status.stateDirectory),
                ("definitions", "\(status.definitions) loaded from \(status.definitionsDirectory)"
                    + (status.definitionErrors.isEmpty ? "" : ", " + t.styled("\(status.definitionErrors.count) with errors", .red))),
                ("instances", "\(status.instancesStored) stored, \(status.instancesLoaded) loaded"
                    + ((status.instancesPaused ?? 0) > 0 ? ", \(status.instancesPaused!) paused" : "")),
                ("runs", "\(status.activeRuns) active"),
                ("connections", "\(status.connections) (\(status.subscriptions) subscriptions)"),
            ]
            for (key, value) in rows { t.line("  " + key.padding(12) + " " + value) }
            for problem in status.definitionErrors { t.line("  " + t.styled("✗ ", .red) + problem.description) }
            // Several hosts on one PostgreSQL database: each, its heartbeat, what it owns.
            if let host = status.host, let hosts = status.hosts {
                t.line("")
                var table = Table("HOST", "HEARTBEAT", "INSTANCES")
                for other in hosts {
                    let name = other.id + (other.id == host ? " (this one)" : "")
                    let beat = "\((other.heartbeatAgeSeconds * 10).rounded() / 10)s ago" + (other.alive ? "" : " " + t.styled("(dead)", .red))
                    table.add(name, beat, "\(other.instances)")
                }
                t.line(table.render(t))
            }
            return .success
        }
    }
}

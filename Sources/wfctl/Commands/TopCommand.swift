#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import WorkflowClient
import WorkflowJSON
import WorkflowProtocol

/// `wfctl top`: what the daemon does, refreshed (as `systemd-cgtop` shows control groups): its
/// instances and runs, the rates of runs, commits and calls with the commit latency, each
/// definition's runs, and the open requests, oldest first. On a terminal the view is redrawn in
/// place; otherwise each refresh prints plain lines, so that it can be logged or read by a script.
struct TopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "top",
        abstract: "Watch the daemon: instances, runs, commit rate and latency, each definition's runs, open requests by age.",
        discussion: "Rates are over the last refresh (the first view shows totals). Ctrl-C ends it.")
    @OptionGroup var options: ClientOptions
    @Option(name: [.customShort("d"), .long], help: "Seconds between refreshes.") var delay: Double = 2
    @Option(name: [.customShort("n"), .long], help: "Refresh this many times, then exit (default: until interrupted).") var iterations: Int?

    func validate() throws {
        guard delay >= 0.1, delay <= 3600 else { throw ValidationError("--delay takes seconds between 0.1 and 3600 (got \(delay))") }
        if let iterations, iterations < 1 { throw ValidationError("--iterations must be at least 1 (got \(iterations))") }
    }

    func run() async throws {
        try await Session.run(options) { session in
            var previous: TopView.Reading?
            var count = 0
            while true {
                let reading = try await TopView.Reading.take(session.client)
                let view = TopView(reading: reading, previous: previous, terminal: session.terminal, rows: Self.terminalRows())
                if session.json {
                    session.terminal.jsonLine(view.json)
                } else if session.terminal.isTTY {
                    // Home, draw, clear what the last view left below.
                    session.terminal.write("\u{1B}[H" + view.lines.map { $0 + "\u{1B}[K" }.joined(separator: "\n") + "\n\u{1B}[J")
                } else {
                    session.terminal.line(view.lines.joined(separator: "\n"))
                    session.terminal.line()
                }
                previous = reading
                count += 1
                if let iterations, count >= iterations { return .success }
                try await Task.sleep(for: .milliseconds(Int64(delay * 1000)))
            }
        }
    }

    /// The terminal's height (24 when it cannot be read).
    static func terminalRows() -> Int {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_row > 0 else { return 24 }
        return Int(size.ws_row)
    }
}

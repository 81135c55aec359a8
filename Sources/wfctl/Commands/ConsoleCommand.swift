import ArgumentParser
import Foundation
import Logging
import WorkflowClient
import WorkflowConsole
import WorkflowJSON

struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console", abstract: "Serve the web console: the inbox with a form for each open request, instances, graphs, live events.",
        discussion: """
        The console talks to the daemon as you, over its socket: it shows what you may see and its forms do what you \
        may do. It listens on 127.0.0.1 on a free port (or --listen) and prints an address with a secret token; a \
        browser without the token gets 403 (after the first visit the token is a cookie). It opens that address in \
        your browser when there is a display (not with --no-browser). SIGINT or SIGTERM stops it.

        Pages: / (instances and schedules), /instances/NAME (graph with live marks, runs, events live, checkpoints \
        to rewind or fork from, reset), /inbox (every open request, oldest first, each with a form built from its \
        schema). The pages work without JavaScript; with it, events and marks update live.
        """)
    @OptionGroup var options: ClientOptions
    @Option(name: .long, help: ArgumentHelp("Where to listen: HOST:PORT, [IPv6]:PORT or PORT (on 127.0.0.1); port 0 takes a free one.", valueName: "address"))
    var listen = "127.0.0.1:0"
    @Flag(name: .long, help: "Do not open a browser; only print the address.") var noBrowser = false

    func validate() throws {
        guard Self.parse(listen) != nil else {
            throw ValidationError("--listen \(listen): expected HOST:PORT, [IPv6]:PORT or PORT, with a port from 0 to 65535")
        }
    }

    func run() async throws {
        try await Session.run(options) { session in
            // Reach the daemon first, so that a wrong socket or a missing right is said here, not on the first page.
            _ = try await session.client.ping()
            guard let (host, port) = Self.parse(listen) else { throw Failure(.usage, "--listen \(listen) is not an address") }
            var logger = Logger(label: "wfctl.console")
            logger.logLevel = .warning
            let server = ConsoleServer(configuration: ConsoleConfiguration(socketPath: session.socketPath, host: host, port: port), logger: logger)
            let terminal = session.terminal, json = session.json, openBrowser = !noBrowser
            do {
                try await server.run { address in
                    if json {
                        terminal.json(["url": .string(address)])
                    } else {
                        terminal.line("workflowd console: \(address)")
                        terminal.line("(Ctrl-C stops it)")
                    }
                    if openBrowser { Self.openBrowser(address) }
                }
            } catch let error as WorkflowClientError {
                throw error
            } catch {
                // Binding is the server's only failure of its own: a port taken, an address not this host's.
                throw Failure(.failure, "cannot listen on \(listen): \(error)")
            }
            return .success
        }
    }

    /// `HOST:PORT`, `[IPv6]:PORT` or `PORT`.
    static func parse(_ text: String) -> (host: String, port: Int)? {
        func port(_ text: Substring) -> Int? { Int(text).flatMap { (0...65535).contains($0) ? $0 : nil } }
        if let only = port(Substring(text)) { return ("127.0.0.1", only) }
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":"), let number = port(rest.dropFirst()) else { return nil }
            return (String(text[text.index(after: text.startIndex)..<close]), number)
        }
        guard let colon = text.lastIndex(of: ":"), let number = port(text[text.index(after: colon)...]) else { return nil }
        let host = String(text[..<colon])
        return host.isEmpty || host.contains(":") ? nil : (host, number)
    }

    /// Opens the address with xdg-open where a desktop session is (a display is set); elsewhere
    /// the printed address is the way in.
    static func openBrowser(_ address: String) {
        let environment = ProcessInfo.processInfo.environment
        guard environment["DISPLAY"] != nil || environment["WAYLAND_DISPLAY"] != nil else { return }
        let path = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map { $0 + "/xdg-open" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let path else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = [address]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try? process.run()
    }
}

import Hummingbird
import Logging
import WorkflowClient
import WorkflowConcurrency

/// The web console: serves the pages of ``ConsoleConfiguration`` until SIGINT or SIGTERM.
///
/// It talks to the daemon over its socket as the user who runs it, so the daemon's ownership
/// rules decide what the pages show and what their forms may do; the console adds no right of
/// its own. A browser gets in with the token (see ``ConsoleConfiguration/token``).
///
/// ```swift
/// let server = ConsoleServer(configuration: .init(socketPath: "/run/workflowd/workflowd.sock"))
/// try await server.run { address in print("open \(address)") }
/// ```
public struct ConsoleServer: Sendable {
    /// What it serves and where.
    public let configuration: ConsoleConfiguration
    private let logger: Logger

    /// A console; `logger` gets the HTTP server's own messages (nothing per request).
    public init(configuration: ConsoleConfiguration, logger: Logger = Logger(label: "workflowd.console")) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Serves until SIGINT or SIGTERM, then ends its event streams and returns. `onListening`
    /// gets the address to open (the token in it) once the port is bound.
    public func run(onListening: @escaping @Sendable (String) async -> Void) async throws {
        let client = WorkflowClient(socketPath: configuration.socketPath)
        let service = ConsoleService(client: client)
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: ConsoleAccess(token: configuration.token))
        ConsoleRoutes(service: service, feed: EventFeed(service: service, open: Locked(0), limit: configuration.maximumEventStreams),
                      maximumBody: configuration.maximumBody).register(on: router)
        let configuration = configuration
        let application = Application(
            router: router, configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                await onListening(Self.address(host: configuration.host, port: port, token: configuration.token))
            }, logger: logger)
        do {
            try await application.runService()
        } catch {
            await client.close()
            throw error
        }
        await client.close()
    }

    /// The address a person opens: `http://HOST:PORT/?token=TOKEN` (an IPv6 host in brackets).
    public static func address(host: String, port: Int, token: String) -> String {
        let shown = host.contains(":") ? "[\(host)]" : host
        return "http://\(shown):\(port)/?token=\(token)"
    }
}

#if canImport(Glibc)
import Glibc
#endif
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The HTTP endpoint scrapers read (`--metrics-listen`): `GET /metrics` answers the exposition,
/// `GET /` a line saying where it is; anything else 404 or 405. HTTP/1.1 with keep-alive, as
/// Prometheus scrapes.
///
/// Framing is NIO's HTTP codec on the event loop; each connection is served in a task of its own
/// (``serve(_:)``), which asks the daemon for the exposition off the event loop. At most
/// ``connectionLimit`` connections at once (more are closed as they come), and a connection that
/// sends nothing for ``idleLimit`` is closed: a scraper that stalls holds nothing for long.
struct MetricsEndpoint: Sendable {
    typealias Server = NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>

    static let connectionLimit = 16
    static let idleLimit: TimeAmount = .seconds(60)
    /// What the exposition is made from, asked for each scrape.
    let exposition: @Sendable () async throws -> String
    let logger: Logger

    /// Binds `place`; the server, and the address it is bound to (a TCP port 0 becomes the one taken).
    static func bind(_ place: MetricsListen) async throws -> (Server, String) {
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        let initializer: @Sendable (any Channel) -> EventLoopFuture<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>> = { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idleLimit))
                try channel.pipeline.syncOperations.addHandler(MetricsEndpoint.IdleCloser())
                return try NIOAsyncChannel(wrappingChannelSynchronously: channel)
            }
        }
        let server: Server
        switch place {
        case .tcp(let host, let port):
            server = try await bootstrap.bind(host: host, port: port, childChannelInitializer: initializer)
        case .unix(let path):
            unlink(path)  // a socket left by a daemon that was killed
            server = try await bootstrap.bind(unixDomainSocketPath: path, childChannelInitializer: initializer)
        case .adopted(let descriptor):
            server = try await bootstrap.bind(descriptor, childChannelInitializer: initializer)
        }
        let address: String
        switch (place, server.channel.localAddress) {
        case (.tcp(let host, _), let bound?): address = host.contains(":") ? "[\(host)]:\(bound.port ?? 0)" : "\(host):\(bound.port ?? 0)"
        case (.adopted, let bound?): address = bound.pathname ?? "\(bound.ipAddress ?? "?"):\(bound.port ?? 0)"
        default: address = place.description
        }
        return (server, address)
    }

    /// Accepts connections until the server closes, serving each in a child task.
    func run(_ server: Server) async throws {
        let open = Slots()
        try await withThrowingDiscardingTaskGroup { group in
            try await server.executeThenClose { inbound in
                for try await connection in inbound {
                    guard open.enter(limit: Self.connectionLimit) else {
                        try? await connection.channel.close()
                        continue
                    }
                    group.addTask {
                        defer { open.leave() }
                        await serve(connection)
                    }
                }
            }
        }
    }

    /// One connection: its requests in turn, until the peer closes (or asks to), or stalls.
    func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                var head: HTTPRequestHead?
                for try await part in inbound {
                    switch part {
                    case .head(let request): head = request
                    case .body: break  // a GET has none; anything sent is read and dropped
                    case .end:
                        guard let request = head else { continue }
                        head = nil
                        try await respond(to: request, outbound)
                        if !request.isKeepAlive { return }
                    }
                }
            }
        } catch {
            logger.debug("a metrics connection ended", metadata: ["error": "\(error)"])
        }
    }

    private func respond(to request: HTTPRequestHead, _ outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws {
        let path = request.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.uri
        var status = HTTPResponseStatus.ok
        var body: String
        var contentType = "text/plain; charset=utf-8"
        var headers = HTTPHeaders()
        switch (request.method, path) {
        case (.GET, "/metrics"), (.HEAD, "/metrics"):
            do {
                body = try await exposition()
                contentType = "text/plain; version=0.0.4; charset=utf-8"
            } catch {
                status = .serviceUnavailable
                body = "the metrics could not be gathered: \(error)\n"
                logger.warning("the metrics could not be gathered for a scrape", metadata: ["error": "\(error)"])
            }
        case (.GET, "/"), (.HEAD, "/"):
            body = "workflowd: the metrics are at /metrics\n"
        case (_, "/metrics"), (_, "/"):
            status = .methodNotAllowed
            headers.add(name: "Allow", value: "GET, HEAD")
            body = "only GET and HEAD are served here\n"
        default:
            status = .notFound
            body = "not found: the metrics are at /metrics\n"
        }
        let bytes = ByteBuffer(string: body)
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: String(bytes.readableBytes))
        if !request.isKeepAlive { headers.add(name: "Connection", value: "close") }
        try await outbound.write(.head(HTTPResponseHead(version: request.version, status: status, headers: headers)))
        if request.method != .HEAD { try await outbound.write(.body(.byteBuffer(bytes))) }
        try await outbound.write(.end(nil))
    }
}

extension MetricsEndpoint {
    /// Closes a connection its idle-state handler found silent.
    final class IdleCloser: ChannelInboundHandler, Sendable {
        typealias InboundIn = HTTPServerRequestPart
        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if event is IdleStateHandler.IdleStateEvent {
                context.close(promise: nil)
            } else {
                context.fireUserInboundEventTriggered(event)
            }
        }
    }

    /// Connections being served, up to a limit.
    final class Slots: Sendable {
        private let count = Atomic<Int>(0)
        func enter(limit: Int) -> Bool {
            if count.add(1, ordering: .relaxed).newValue <= limit { return true }
            count.subtract(1, ordering: .relaxed)
            return false
        }
        func leave() { count.subtract(1, ordering: .relaxed) }
    }
}

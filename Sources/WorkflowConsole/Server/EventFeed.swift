import Hummingbird
import ServiceLifecycle
import WorkflowClient
import WorkflowConcurrency
import WorkflowJSON

/// An instance's events as server-sent events (`text/event-stream`): each event's `id` is its
/// seq, so a browser that reconnects sends `Last-Event-ID` and the feed resumes after it, from
/// the daemon's log, without a gap. A comment every 15 seconds keeps proxies from closing an idle
/// stream and tells the feed when the browser has gone.
///
/// Bounded: at most ``ConsoleConfiguration/maximumEventStreams`` at once; between the daemon's
/// subscription and the browser at most 256 events wait, and a browser slower than that is
/// disconnected to resume from where it got to.
struct EventFeed: Sendable {
    let service: ConsoleService
    let open: Locked<Int>
    let limit: Int

    static let keepAlive = Duration.seconds(15)
    static let backlog = 256

    private enum Item: Sendable {
        case event(WorkflowClient.Event)
        case keepAlive
        case failed(String)
    }

    /// The response for a browser asking for `instance`'s events after `after`; 503 when too
    /// many streams are open.
    func response(instance: String, after: UInt64?) -> Response {
        let admitted = open.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
        guard admitted else {
            return Response(status: .serviceUnavailable, headers: [.contentType: "text/plain; charset=utf-8", .retryAfter: "5"],
                            body: .init(byteBuffer: ByteBuffer(string: "too many live event streams are open (\(limit)); retry shortly\n")))
        }
        let service = service, open = open
        let body = ResponseBody { writer in
            defer { open.withLock { $0 -= 1 } }
            try await Self.stream(service.events(of: instance, after: after), into: &writer)
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store"], body: body)
    }

    private static func stream(_ events: EventStream, into writer: inout any ResponseBodyWriter) async throws {
        let (items, continuation) = AsyncStream<Item>.makeStream(bufferingPolicy: .bufferingOldest(backlog))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    for try await event in events {
                        // A model's streamed text (live only) would make the page fetch itself
                        // per token: the page shows the whole answer when its llm_message comes.
                        if event.isLive { continue }
                        if case .dropped = continuation.yield(.event(event)) { break }  // the browser resumes from its last id
                    }
                } catch {
                    continuation.yield(.failed("\(error)"))
                }
                continuation.finish()
            }
            group.addTask {
                while !Task.isCancelled {
                    try await Task.sleep(for: keepAlive)
                    continuation.yield(.keepAlive)
                }
            }
            // The browser waits a little before reconnecting; the first line says how long.
            try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
            // On SIGINT or SIGTERM the stream ends, so that the server's graceful shutdown is not
            // held up by a browser that would keep it open for ever.
            try await withGracefulShutdownHandler {
                for await item in items {
                    switch item {
                    case .event(let event):
                        try await writer.write(ByteBuffer(string: "id: \(event.seq)\ndata: \(event.json.serialized())\n\n"))
                    case .keepAlive:
                        try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                    case .failed(let message):
                        let line = JSON.object(["message": .string(message)]).serialized()
                        try await writer.write(ByteBuffer(string: "event: failure\ndata: \(line)\n\n"))
                    }
                }
            } onGracefulShutdown: {
                continuation.finish()
            }
            group.cancelAll()
        }
    }
}

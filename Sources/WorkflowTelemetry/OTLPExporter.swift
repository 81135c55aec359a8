import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Tracing
import WorkflowConcurrency

/// Sends finished spans to an OTLP/HTTP collector in batches: every second, or as soon as
/// ``batchSize`` wait. What waits is bounded (``queueLimit``): spans beyond it are dropped and
/// counted, never held without end, and a collector that does not answer costs a warning (once
/// per outage, then a notice when it answers again), never the daemon's work.
public final class OTLPExporter: Sendable {
    /// Spans sent per request at most.
    public static let batchSize = 512
    /// Spans waiting at most; more are dropped.
    public static let queueLimit = 4096
    /// How long one request may take.
    static let requestTimeout: TimeAmount = .seconds(10)

    public let endpoint: OTLPEndpoint
    let resource: [(String, SpanAttribute)]
    let headers: [(String, String)]
    let logger: Logger

    private struct State {
        var queue: [OTLPSpan] = []
        var dropped = 0
        var wake: CheckedContinuation<Void, Never>?
        var failing = false
    }
    private let state = Locked(State())

    /// Exports to `endpoint` with the resource's attributes (`service.name` first) and extra
    /// request headers (`OTEL_EXPORTER_OTLP_HEADERS`).
    public init(endpoint: OTLPEndpoint, resource: [(String, String)], headers: [(String, String)] = [], logger: Logger) {
        self.endpoint = endpoint
        self.resource = resource.map { ($0.0, .string($0.1)) }
        self.headers = headers
        self.logger = logger
    }

    /// Spans dropped so far because too many waited, or the collector could not take them.
    public var dropped: Int { state.withLock { $0.dropped } }

    /// Spans waiting to be sent.
    public var waiting: Int { state.withLock { $0.queue.count } }

    func add(_ span: OTLPSpan) {
        let wake = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.queue.count < Self.queueLimit else {
                state.dropped += 1
                return nil
            }
            state.queue.append(span)
            guard state.queue.count >= Self.batchSize else { return nil }
            defer { state.wake = nil }
            return state.wake
        }
        wake?.resume()
    }

    /// Asks for what waits to be sent now.
    func flushSoon() {
        let wake = state.withLock { state -> CheckedContinuation<Void, Never>? in
            defer { state.wake = nil }
            return state.wake
        }
        wake?.resume()
    }

    /// Sends batches until cancelled; then sends what is left (within one request's time).
    public func run() async {
        // Requests go from a task of their own: a stop cancels this one, and NIO refuses to
        // connect (or gives up a request half sent) for a cancelled task, which lost the batch
        // being sent and the last spans, the stop's own among them. Each request has its time.
        while !Task.isCancelled {
            await waitForWork()
            await Task { await self.sendWaiting(drain: false) }.value
        }
        await Task { await self.sendWaiting(drain: true) }.value
    }

    /// Sleeps a second, or until a batch is full or a flush is asked for.
    private func waitForWork() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: .seconds(1)) }
            group.addTask { [self] in
                await withTaskCancellationHandler {
                    await withCheckedContinuation { continuation in
                        let now = state.withLock { state -> Bool in
                            if state.queue.count >= Self.batchSize { return true }
                            state.wake?.resume()
                            state.wake = continuation
                            return false
                        }
                        if now { continuation.resume() }
                    }
                } onCancel: { [self] in
                    flushSoon()
                }
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// Sends what waits, a batch at a time: everything (`drain`, at the end), or what waited
    /// when it began and then only full batches. Spans keep coming while a batch is sent: sending
    /// until the queue is empty sent a request per handful of spans under load (found by
    /// counting the collector's requests: 200 for 1,000 runs instead of 12).
    func sendWaiting(drain: Bool) async {
        var first = true
        while true {
            let batch = state.withLock { state -> [OTLPSpan] in
                guard first || drain || state.queue.count >= Self.batchSize else { return [] }
                let batch = Array(state.queue.prefix(Self.batchSize))
                state.queue.removeFirst(batch.count)
                return batch
            }
            first = false
            guard !batch.isEmpty else { return }
            let body = OTLPEncoding.request(resource: resource, scope: (name: "workflowd", version: "1.0.0"), spans: batch.compactMap { $0.finished })
            do {
                let status = try await post(body)
                guard (200..<300).contains(status) else { throw ExportFailure(description: "the collector answered HTTP \(status)") }
                let recovered = state.withLock { state -> Bool in
                    defer { state.failing = false }
                    return state.failing
                }
                if recovered { logger.notice("spans are exported again", metadata: ["otlp.endpoint": "\(endpoint)"]) }
            } catch {
                let first = state.withLock { state -> Bool in
                    state.dropped += batch.count
                    defer { state.failing = true }
                    return !state.failing
                }
                if first {
                    logger.warning("could not export spans; they are dropped until the collector answers",
                                   metadata: ["otlp.endpoint": "\(endpoint)", "error": "\(error)"])
                }
                return
            }
        }
    }

    struct ExportFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// One POST of `body`; the response's status.
    private func post(_ body: [UInt8]) async throws -> Int {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(Self.requestTimeout)
            .connect(host: endpoint.host, port: endpoint.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
        let deadline = channel.channel.eventLoop.scheduleTask(in: Self.requestTimeout) { channel.channel.close(promise: nil) }
        defer { deadline.cancel() }
        return try await channel.executeThenClose { inbound, outbound in
            var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: endpoint.path)
            head.headers.add(name: "Host", value: "\(endpoint.host):\(endpoint.port)")
            head.headers.add(name: "Content-Type", value: "application/x-protobuf")
            head.headers.add(name: "Content-Length", value: String(body.count))
            head.headers.add(name: "Connection", value: "close")
            for (name, value) in headers { head.headers.add(name: name, value: value) }
            // Head, body and end in one write: a collector that answers and closes once it has
            // Content-Length bytes could close the channel between separate writes, and the last
            // one failed ("I/O on closed channel") though every span had arrived: a batch counted
            // lost, and a warning and a notice in the log each time.
            try await outbound.write(contentsOf: [.head(head), .body(.byteBuffer(ByteBuffer(bytes: body))), .end(nil)])
            var status: Int?
            for try await part in inbound {
                switch part {
                case .head(let response): status = Int(response.status.code)
                case .body: break
                case .end: return status ?? 0
                }
            }
            guard let status else { throw ExportFailure(description: "the collector closed the connection without answering") }
            return status
        }
    }
}

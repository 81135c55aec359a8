import WorkflowJSON
import WorkflowProtocol

/// An instance's events, in seq order, as an `AsyncSequence`. When the connection drops or the
/// daemon restarts, the stream reconnects and subscribes again after the last seq it delivered,
/// so it never skips or repeats an event. It ends when the instance is deleted or the reading
/// task is cancelled; it throws when the daemon stays unreachable longer than the client's
/// ``WorkflowClient/Configuration/reconnectTimeout``, or when events it should deliver are no
/// longer in the daemon's log (``WorkflowClientError/Code/eventsMissed``), which is never
/// silent.
///
/// ```swift
/// for try await event in client.events(of: "review", after: 0) {
///     print(event.seq, event.type)
/// }
/// ```
public struct EventStream: AsyncSequence, Sendable {
    public typealias Element = WorkflowClient.Event

    let client: WorkflowClient
    let instance: String
    let afterSeq: UInt64?

    public func makeAsyncIterator() -> Iterator {
        Iterator(client: client, instance: instance, lastSeq: afterSeq)
    }

    /// Reads the stream; one reader at a time.
    public struct Iterator: AsyncIteratorProtocol {
        let client: WorkflowClient
        let instance: String
        /// The last seq delivered (nil: nothing yet and no starting point given; live only).
        private(set) var lastSeq: UInt64?
        private var current: (connection: ClientConnection, subscription: String, buffer: ClientEventBuffer)?
        private var finished = false
        private var subscribedOnce = false
        /// How many times the stream subscribed again (after a lost connection, a daemon
        /// restart, or a reader too slow for its buffer), each time after the last event it gave.
        public private(set) var resubscriptions = 0

        init(client: WorkflowClient, instance: String, lastSeq: UInt64?) {
            self.client = client
            self.instance = instance
            self.lastSeq = lastSeq
        }

        public mutating func next() async throws -> WorkflowClient.Event? {
            while !finished {
                if current == nil { try await subscribe() }
                guard let (_, _, buffer) = current else { continue }
                switch await buffer.next() {
                case .event(let json):
                    guard let event = WorkflowClient.Event(json) else {
                        throw WorkflowClientError(.protocolViolation, "workflowd sent an event without a seq: \(json.serialized())")
                    }
                    // A live event shares the seq of the logged one before it: passed on, not counted.
                    if event.isLive { return event }
                    if let last = lastSeq, event.seq <= last { continue }  // never twice
                    lastSeq = event.seq
                    return event
                case .ended(let reason):
                    let ended = current
                    current = nil
                    switch reason {
                    case .deleted, .cancelled:
                        finished = true
                    case .connectionLost, .shutdown, .overflow:
                        break
                    case .localOverflow:
                        // Read too slowly: drop the daemon's side and catch up from the log.
                        if let (connection, subscription, _) = ended {
                            connection.forget(subscription: subscription)
                            connection.send(EventMethods.Unsubscribe.name, ["subscription": .string(subscription)])
                        }
                    }
                }
            }
            return nil
        }

        private mutating func subscribe() async throws {
            let buffer = ClientEventBuffer(limit: client.configuration.subscriptionBuffer)
            var params: JSONObject = ["instance": .string(instance)]
            if let lastSeq { params["afterSeq"] = .number(Double(lastSeq)) }
            let (connection, result) = try await client.subscribe(params: .object(params), buffer: buffer)
            let answer = try EventMethods.Subscribe.decode(result: result)
            if let missed = answer.missed {
                throw WorkflowClientError(.eventsMissed, "events \(missed.first)–\(missed.last) of \(instance) are no longer in the daemon's log (its event retention dropped them)")
            }
            if lastSeq == nil { lastSeq = answer.nextSeq > 0 ? answer.nextSeq - 1 : 0 }
            current = (connection, answer.subscription, buffer)
            if subscribedOnce { resubscriptions += 1 }
            subscribedOnce = true
        }
    }
}

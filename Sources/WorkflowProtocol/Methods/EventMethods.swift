import WorkflowJSON

/// `events.*`: the event log, live and replayed.
public enum EventMethods {
    static let instanceParam = InstanceMethods.instanceParam

    /// `events.subscribe`
    public enum Subscribe: RPCMethod {
        public struct Params: Codable, Sendable, Hashable {
            public var instance: String
            public var afterSeq: UInt64?
            public init(instance: String, afterSeq: UInt64? = nil) {
                self.instance = instance
                self.afterSeq = afterSeq
            }
        }
        public struct Result: Codable, Sendable, Hashable {
            public struct Missed: Codable, Sendable, Hashable {
                public var first: UInt64
                public var last: UInt64
                public init(first: UInt64, last: UInt64) {
                    self.first = first
                    self.last = last
                }
            }
            public var subscription: String
            /// Events before this seq come from the log (after `afterSeq`); from it on, live.
            public var nextSeq: UInt64
            /// Events after `afterSeq` that the log no longer keeps (never a silent gap).
            public var missed: Missed?
            public init(subscription: String, nextSeq: UInt64, missed: Missed?) {
                self.subscription = subscription
                self.nextSeq = nextSeq
                self.missed = missed
            }
        }
        public static let name = "events.subscribe"
        public static let summary = "Subscribes to the instance's events: events.event notifications follow this answer, first replaying the log after afterSeq, then live, in seq order with no gap and no duplicate. A subscriber too slow for the connection's send queue gets events.overflow and loses only that subscription."
        public static let params = [instanceParam, RPCParam("afterSeq", "Replay the log after this seq (omit for live events only).")]
        public static let result = Schema.of(Result.self)
        public static let errors: [RPCError.Code] = [.instanceNotFound, .limitExceeded]
    }

    /// `events.unsubscribe`
    public enum Unsubscribe: RPCMethod {
        public struct Params: Codable, Sendable, Hashable {
            public var subscription: String
            public init(subscription: String) { self.subscription = subscription }
        }
        public struct Result: Codable, Sendable, Hashable {
            public var unsubscribed: Bool
            public init(unsubscribed: Bool) { self.unsubscribed = unsubscribed }
        }
        public static let name = "events.unsubscribe"
        public static let summary = "Ends a subscription of this connection (false if it had none by that id)."
        public static let params = [RPCParam("subscription", "The subscription's id.")]
        public static let result = Schema.of(Result.self)
        public static let errors: [RPCError.Code] = []
    }

    /// `events.read`
    public enum Read: RPCMethod {
        public struct Params: Codable, Sendable, Hashable {
            public var instance: String
            public var afterSeq: UInt64?
            public var limit: Int?
            public init(instance: String, afterSeq: UInt64? = nil, limit: Int? = nil) {
                self.instance = instance
                self.afterSeq = afterSeq
                self.limit = limit
            }
        }
        public struct Result: Codable, Sendable, Hashable {
            public var events: [JSON]
            /// The oldest seq the log keeps (older ones were removed by retention).
            public var oldestSeq: UInt64?
            /// Pass as afterSeq for the next page.
            public var lastSeq: UInt64
            public init(events: [JSON], oldestSeq: UInt64?, lastSeq: UInt64) {
                self.events = events
                self.oldestSeq = oldestSeq
                self.lastSeq = lastSeq
            }
        }
        public static let name = "events.read"
        public static let summary = "A page of the instance's event log after afterSeq (default 0), at most limit events (default 1000)."
        public static let params = [instanceParam, RPCParam("afterSeq", "Events after this seq."),
                                    RPCParam("limit", "At most this many (default 1000, at most 10000).", ["type": "integer", "minimum": 1, "maximum": 10000])]
        public static let result = Schema.of(Result.self, ["events": Schema.array(Schema.ref("Event"))])
        public static let errors: [RPCError.Code] = [.instanceNotFound]
    }

    /// `events.event` (notification): one event of a subscription.
    public enum Event: RPCNotification {
        public struct Params: Codable, Sendable, Hashable {
            public var subscription: String
            public var event: JSON
            public init(subscription: String, event: JSON) {
                self.subscription = subscription
                self.event = event
            }
        }
        public static let name = "events.event"
        public static let summary = "An event of a subscription, in seq order."
        public static let params = Schema.of(Params.self, ["event": Schema.ref("Event")])
    }

    /// `events.overflow` (notification): the subscription was dropped.
    public enum Overflow: RPCNotification {
        public struct Params: Codable, Sendable, Hashable {
            public var subscription: String
            public var lastSeq: UInt64
            public init(subscription: String, lastSeq: UInt64) {
                self.subscription = subscription
                self.lastSeq = lastSeq
            }
        }
        public static let name = "events.overflow"
        public static let summary = "The reader was too slow for the connection's send queue: this subscription ended after lastSeq (subscribe again with afterSeq: lastSeq to go on). Other subscriptions and clients are not affected."
        public static let params = Schema.of(Params.self)
    }

    /// `events.closed` (notification): the subscription ended on the daemon's side.
    public enum Closed: RPCNotification {
        /// Why the subscription ended.
        public enum Reason: String, WireEnum {
            /// The instance was deleted: the stream ends.
            case deleted
            /// The daemon is shutting down: resume once it is back.
            case shutdown
        }
        public struct Params: Codable, Sendable, Hashable {
            public var subscription: String
            public var reason: Reason
            public var lastSeq: UInt64
            public init(subscription: String, reason: Reason, lastSeq: UInt64) {
                self.subscription = subscription
                self.reason = reason
                self.lastSeq = lastSeq
            }
        }
        public static let name = "events.closed"
        public static let summary = "The subscription ended: the instance was deleted, or the daemon is shutting down (reason). Resume with afterSeq: lastSeq."
        public static let params = Schema.of(Params.self)
    }
}

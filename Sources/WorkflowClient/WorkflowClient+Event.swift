import WorkflowJSON
import WorkflowProtocol

extension WorkflowClient {
    /// An event of an instance (docs/semantics.md §3.6): the common fields, and the whole event as JSON
    /// for the type-specific ones (`executor`, `value`, `request`, `status`, ...).
    public struct Event: Sendable, Hashable {
        /// The event's seq: strictly increasing per instance, never reused.
        public var seq: UInt64
        /// The event's type (`run_started`, `status`, `output`, `request`, …).
        public var type: String
        /// The instance it happened on.
        public var instance: String
        /// The run it belongs to, if one applies.
        public var runId: String?
        /// Seconds since 1970.
        public var time: Double
        /// What it says, typed by its type.
        public var body: EventBody
        /// The whole event.
        public var json: JSON
        /// Whether it is a live-only event (a model's streamed text): not in the log, and
        /// carrying the seq of the logged event before it.
        public var isLive: Bool { json["live"] == .bool(true) }

        /// Reads an event (nil if it has no seq or type).
        public init?(_ json: JSON) {
            guard let seq = json["seq"]?.doubleValue, seq >= 0, let type = json["type"]?.stringValue else { return nil }
            self.seq = UInt64(seq)
            self.type = type
            self.instance = json["instance"]?.stringValue ?? ""
            self.runId = json["runId"]?.stringValue
            self.time = json["time"].flatMap(Self.seconds) ?? 0
            self.body = EventBody(json)
            self.json = json
        }

        /// A field of the event.
        public subscript(key: String) -> JSON? { json[key] }

        private static func seconds(_ value: JSON) -> Double? {
            if let number = value.doubleValue { return number }
            guard let text = value.stringValue else { return nil }
            return try? Timestamp.parse(text)
        }
    }
}

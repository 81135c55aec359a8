/// A named signal sent to an instance (``WorkflowInstance/signal(_:payload:)``): it wakes the
/// first wait for its name, or, when nothing waits for it yet, is kept (durably, with the
/// instance's state) for the first wait that will.
public struct WorkflowSignal: Sendable, Hashable {
    /// The name waits listen for.
    public var name: String
    /// What it carries (any JSON).
    public var payload: JSON
    /// When it arrived (seconds since 1970).
    public var time: Double

    /// Makes a signal.
    public init(name: String, payload: JSON, time: Double) {
        self.name = name
        self.payload = payload
        self.time = time
    }
}

extension WorkflowSignal: JSONRepresentable {
    public var json: JSON {
        ["name": .string(name), "payload": payload, "time": .string(Timestamp.format(time))]
    }

    public init(json: JSON) throws {
        let reader = try JSONReader(json, path: "signal")
        self.init(name: try reader.string("name"), payload: reader.object["payload"] ?? .null,
                  time: try Timestamp.parse(try reader.string("time"), path: reader.field("time")))
    }
}

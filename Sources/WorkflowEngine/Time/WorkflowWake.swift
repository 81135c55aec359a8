/// A wait that fired, as its executor receives it (``Executor/handleWake(_:context:)``).
public struct WorkflowWake: Sendable, Hashable {
    /// What fired a wait.
    public enum Reason: String, Sendable, Hashable, CaseIterable {
        /// The duration it waited for passed.
        case `for`
        /// The time of day it waited until came.
        case until
        /// The signal it waited for arrived.
        case signal
    }

    /// The wait that fired.
    public var wait: WorkflowWait
    /// What fired it.
    public var reason: Reason
    /// When it fired (seconds since 1970).
    public var firedAt: Double
    /// The signal's name and payload, when a signal fired it.
    public var signal: WorkflowSignal?

    /// Makes a wake.
    public init(wait: WorkflowWait, reason: Reason, firedAt: Double, signal: WorkflowSignal?) {
        self.wait = wait
        self.reason = reason
        self.firedAt = firedAt
        self.signal = signal
    }

    /// The message a `wait` step sends on: `{reason, input, scheduledFor, firedAt, signal?}`
    /// (`scheduledFor` is null for a wait on a signal only).
    public var message: JSON {
        var object: JSONObject = ["reason": .string(reason.rawValue), "input": wait.input,
                                  "scheduledFor": wait.due.map { .string(Timestamp.format($0)) } ?? .null,
                                  "firedAt": .string(Timestamp.format(firedAt))]
        if let signal { object["signal"] = ["name": .string(signal.name), "payload": signal.payload] }
        return .object(object)
    }
}

extension WorkflowWake: JSONRepresentable {
    public var json: JSON {
        var object: JSONObject = ["wait": wait.json, "reason": .string(reason.rawValue), "firedAt": .string(Timestamp.format(firedAt))]
        if let signal { object["signal"] = signal.json }
        return .object(object)
    }

    public init(json: JSON) throws {
        let reader = try JSONReader(json, path: "wake")
        let text = try reader.string("reason")
        guard let reason = Reason(rawValue: text) else {
            throw WorkflowError(.invalidCheckpoint, "\(reader.field("reason")): '\(text)' is not 'for', 'until' or 'signal'")
        }
        self.init(wait: try WorkflowWait(json: try reader.value("wait")), reason: reason,
                  firedAt: try Timestamp.parse(try reader.string("firedAt"), path: reader.field("firedAt")),
                  signal: try reader.object["signal"].map { try WorkflowSignal(json: $0) })
    }
}

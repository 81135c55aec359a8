/// How an executor's failed invocation is tried again (DESIGN.md §10): up to ``attempts`` tries
/// in all, the first retry after ``backoff`` seconds, each next one ``factor`` times longer, at
/// most ``maximum``, spread by ``jitter``. Which failures are retried is ``conditions``; with
/// none given, every failure but one its step marks final (`details.final: true`) and a
/// cancellation. A delay of a second or less is slept in the superstep; a longer one is a
/// durable wait (the run may end `waiting`, and the retry survives a restart).
public struct RetryPolicy: Sendable, Hashable {
    /// A kind of failure a policy retries.
    public enum Condition: Sendable, Hashable, CustomStringConvertible {
        /// A program exited with this status (`exit:N`).
        case exit(Int)
        /// A step took longer than its timeout (`timeout`).
        case timeout
        /// A program was killed by a signal, or a worker stopped (`crash`).
        case crash
        /// A step failed with this error code: a ``WorkflowError`` code, or the code a worker
        /// answered with (`error:CODE`).
        case error(String)

        /// Reads `exit:N`, `timeout`, `crash` or `error:CODE`.
        /// - Parameter text: The condition as written.
        public init?(_ text: String) {
            if text == "timeout" { self = .timeout; return }
            if text == "crash" { self = .crash; return }
            if text.hasPrefix("exit:"), let code = Int(text.dropFirst(5)), (0...255).contains(code) { self = .exit(code); return }
            if text.hasPrefix("error:"), text.count > 6 { self = .error(String(text.dropFirst(6))); return }
            return nil
        }

        /// As written.
        public var description: String {
            switch self {
            case .exit(let code): "exit:\(code)"
            case .timeout: "timeout"
            case .crash: "crash"
            case .error(let code): "error:\(code)"
            }
        }
    }

    /// Tries in all, the first included (1: no retry).
    public var attempts: Int
    /// Seconds before the first retry.
    public var backoff: Double
    /// What each next delay is multiplied by.
    public var factor: Double
    /// The longest delay, in seconds.
    public var maximum: Double
    /// A fraction: each delay is drawn from `delay × (1 ± jitter)`.
    public var jitter: Double
    /// The failures retried; empty: all but those marked final.
    public var conditions: [Condition]

    /// The longest delay slept within a superstep; a longer one is a durable wait.
    public static let inlineDelayLimit = 1.0

    /// Makes a policy.
    /// - Parameters:
    ///   - attempts: Tries in all (at least 1).
    ///   - backoff: Seconds before the first retry.
    ///   - factor: What each next delay is multiplied by (default 2).
    ///   - maximum: The longest delay (default: no cap).
    ///   - jitter: A fraction from 0 to 1 (default 0).
    ///   - conditions: The failures retried (default: all but final ones).
    public init(attempts: Int, backoff: Double = 1, factor: Double = 2, maximum: Double = .infinity, jitter: Double = 0,
                conditions: [Condition] = []) {
        self.attempts = max(1, attempts)
        self.backoff = max(0, backoff)
        self.factor = max(1, factor)
        self.maximum = max(0, maximum)
        self.jitter = min(1, max(0, jitter))
        self.conditions = conditions
    }

    /// The delay before the try after try `attempt` failed, with `random` (0 ..< 1) picking
    /// where in the jitter's band it falls.
    /// - Parameters:
    ///   - attempt: The try that failed (1 for the first).
    ///   - random: A number from 0 to 1.
    public func delay(after attempt: Int, random: Double) -> Double {
        var delay = backoff
        for _ in 1..<max(1, attempt) {
            delay *= factor
            if delay >= maximum { break }
        }
        delay = min(delay, maximum)
        return max(0, delay * (1 + jitter * (2 * random - 1)))
    }

    /// Whether `error`, the failure of try `attempt`, is tried again.
    /// - Parameters:
    ///   - error: What the executor threw.
    ///   - attempt: The try that failed (1 for the first).
    public func retries(_ error: any Error, attempt: Int) -> Bool {
        guard attempt < attempts, !(error is CancellationError) else { return false }
        let own = error as? WorkflowError
        if own?.code == .cancelled { return false }
        let details = own?.details.objectValue ?? [:]
        guard !conditions.isEmpty else { return details["final"] != .bool(true) }
        let failure = details["failure"]?.stringValue
        let codes = [own.map { "\($0.code)" }, details["errorCode"]?.stringValue].compactMap { $0 }
        return conditions.contains { condition in
            switch condition {
            case .exit, .timeout, .crash: failure == condition.description
            case .error(let code): codes.contains(code)
            }
        }
    }

    /// The policy as a definition writes it (part of the graph's hash).
    var json: JSON {
        var object: JSONObject = ["attempts": .number(Double(attempts)), "backoff": .number(backoff), "factor": .number(factor),
                                  "jitter": .number(jitter), "on": .array(conditions.map { .string($0.description) })]
        if maximum.isFinite { object["max"] = .number(maximum) }
        return .object(object)
    }
}

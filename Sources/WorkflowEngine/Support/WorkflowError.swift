/// An error from the engine. Its ``code`` is what callers switch on (and what the daemon maps to a
/// JSON-RPC error code); ``message`` is a sentence a person understands; ``details`` carries the
/// facts as JSON (which instance, which executors, which schema path).
public struct WorkflowError: Error, Hashable, Sendable {
    /// What kind of error this is. New codes can be added without breaking `switch` statements.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidGraph, instanceBusy, requestNotFound, responseInvalid, checkpointNotFound,
                 checkpointIncompatible, runNotFound, superstepLimitExceeded, executorFailed,
                 cancelled, storeFailed, invalidCheckpoint, instanceExists, noStore, interrupted, instanceBroken, limitExceeded, inputInvalid
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The workflow graph is not valid (the message lists every problem).
        public static let invalidGraph = Code(.invalidGraph)
        /// A run is active (or a reset/rewind is in progress) and the instance does not queue.
        public static let instanceBusy = Code(.instanceBusy)
        /// No open request has that id (never raised, already answered, or reset away).
        public static let requestNotFound = Code(.requestNotFound)
        /// The response does not satisfy the request's schema.
        public static let responseInvalid = Code(.responseInvalid)
        /// A run's input does not satisfy the workflow's input schema.
        public static let inputInvalid = Code(.inputInvalid)
        /// No checkpoint of the instance has that id.
        public static let checkpointNotFound = Code(.checkpointNotFound)
        /// The checkpoint was written by a different definition (graph hash).
        public static let checkpointIncompatible = Code(.checkpointIncompatible)
        /// The instance knows no run with that id.
        public static let runNotFound = Code(.runNotFound)
        /// A run used up its superstep budget with messages still in flight.
        public static let superstepLimitExceeded = Code(.superstepLimitExceeded)
        /// An executor threw; the run failed.
        public static let executorFailed = Code(.executorFailed)
        /// The run or operation was cancelled.
        public static let cancelled = Code(.cancelled)
        /// The checkpoint store could not commit.
        public static let storeFailed = Code(.storeFailed)
        /// A checkpoint's content could not be restored (shape or executor snapshot).
        public static let invalidCheckpoint = Code(.invalidCheckpoint)
        /// An instance with that name exists already.
        public static let instanceExists = Code(.instanceExists)
        /// The operation needs a checkpoint store and the instance has none.
        public static let noStore = Code(.noStore)
        /// The process stopped while the run was in progress (recorded by recovery in `fail` mode).
        public static let interrupted = Code(.interrupted)
        /// After a store failure the instance could not return to its last committed checkpoint;
        /// it takes no new work until it is rewound or reset.
        public static let instanceBroken = Code(.instanceBroken)
        /// A bound of the instance is reached (the error names it): signals kept for waits that
        /// have not come yet.
        public static let limitExceeded = Code(.limitExceeded)

        /// Every code, for decoding.
        static let all: [Code] = [.invalidGraph, .instanceBusy, .requestNotFound, .responseInvalid, .checkpointNotFound,
                                  .checkpointIncompatible, .runNotFound, .superstepLimitExceeded, .executorFailed,
                                  .cancelled, .storeFailed, .invalidCheckpoint, .instanceExists, .noStore, .interrupted,
                                  .instanceBroken, .limitExceeded]

        /// The code's name, e.g. `instanceBusy`.
        public var description: String { base.rawValue }
    }

    /// What kind of failure it is (a closed set; see ``Code``).
    public var code: Code
    /// A sentence that names the problem and what it concerns.
    public var message: String
    /// Structured facts about it (ids, limits), for programs.
    public var details: JSON
    /// The error underneath, if this one wraps another (a store's, an executor's). It is not part
    /// of equality; its text travels in JSON as `cause`.
    public var cause: (any Error & Sendable)?

    /// Makes an error.
    public init(_ code: Code, _ message: String, details: JSON = .null, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.details = details
        self.cause = cause
    }

    public static func == (lhs: WorkflowError, rhs: WorkflowError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.details == rhs.details
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(message)
        hasher.combine(details)
    }
}

extension WorkflowError: CustomStringConvertible {
    public var description: String { "\(code): \(message)" }
}

extension WorkflowError: JSONRepresentable {
    public var json: JSON {
        var object: JSONObject = ["code": .string(code.description), "message": .string(message)]
        if !details.isNull { object["details"] = details }
        if let cause { object["cause"] = .string(String(describing: cause)) }
        return .object(object)
    }

    public init(json: JSON) throws {
        let reader = try JSONReader(json, path: "error")
        let name = try reader.string("code")
        self.init(Code.all.first { $0.description == name } ?? .executorFailed,
                  try reader.string("message"), details: reader.object["details"] ?? .null,
                  cause: try reader.optionalString("cause").map(RecordedCause.init))
    }
}

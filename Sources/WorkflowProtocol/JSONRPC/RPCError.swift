import WorkflowJSON

/// A JSON-RPC 2.0 error object: a code, a sentence, and structured `data` with the details
/// (which instance, which limit, which schema path).
public struct RPCError: Error, Sendable, Hashable, CustomStringConvertible {
    /// An error code: an open integer space (the specification's codes, workflowd's, and any a
    /// server may add), so new codes never break a `switch`.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }

        // The specification's.
        public static let parseError = Code(rawValue: -32700)
        public static let invalidRequest = Code(rawValue: -32600)
        public static let methodNotFound = Code(rawValue: -32601)
        public static let invalidParams = Code(rawValue: -32602)
        public static let internalError = Code(rawValue: -32603)
        // workflowd's (docs/semantics.md §6).
        public static let instanceNotFound = Code(rawValue: -32001)
        public static let instanceExists = Code(rawValue: -32002)
        public static let permissionDenied = Code(rawValue: -32003)
        public static let instanceBusy = Code(rawValue: -32004)
        public static let definitionNotFound = Code(rawValue: -32005)
        public static let definitionInvalid = Code(rawValue: -32006)
        public static let requestNotFound = Code(rawValue: -32007)
        public static let responseInvalid = Code(rawValue: -32008)
        public static let checkpointNotFound = Code(rawValue: -32009)
        public static let checkpointIncompatible = Code(rawValue: -32010)
        public static let runNotFound = Code(rawValue: -32011)
        public static let shuttingDown = Code(rawValue: -32012)
        public static let limitExceeded = Code(rawValue: -32013)
        /// The daemon's storage failed: nothing of the request was accepted (`data.cause` says why).
        public static let storeFailed = Code(rawValue: -32014)
        /// The instance could not return to its last committed checkpoint after a store failure:
        /// it takes no new work until a rewind or a reset.
        public static let instanceBroken = Code(rawValue: -32015)
        /// No schedule has that name (or the caller may not see it).
        public static let scheduleNotFound = Code(rawValue: -32016)
        /// A schedule with that name exists already.
        public static let scheduleExists = Code(rawValue: -32017)
        /// Another live host owns the instance (several hosts on one database): `data.host` names
        /// it. Ask that host, or again once it has released the instance or died.
        public static let instanceElsewhere = Code(rawValue: -32018)

        /// Every code workflowd answers with: its standard message and its category. The daemon
        /// answers by it, the OpenRPC document lists it, and wfctl's exit statuses follow it.
        public static let table: [(code: Code, message: String, category: ErrorCategory)] = [
            (.parseError, "Parse error", .invalidInput), (.invalidRequest, "Invalid Request", .invalidInput),
            (.methodNotFound, "Method not found", .invalidInput), (.invalidParams, "Invalid params", .invalidInput),
            (.internalError, "Internal error", .internalFailure), (.instanceNotFound, "Instance not found", .notFound),
            (.instanceExists, "Instance exists", .conflict), (.permissionDenied, "Permission denied", .permissionDenied),
            (.instanceBusy, "Instance busy", .conflict), (.definitionNotFound, "Definition not found", .notFound),
            (.definitionInvalid, "Definition invalid", .invalidInput),
            (.requestNotFound, "Request not found or already answered", .notFound),
            (.responseInvalid, "Response does not match schema", .invalidInput),
            (.checkpointNotFound, "Checkpoint not found", .notFound), (.checkpointIncompatible, "Checkpoint incompatible", .conflict),
            (.runNotFound, "Run not found", .notFound), (.shuttingDown, "Shutting down", .unavailable),
            (.limitExceeded, "Limit exceeded", .invalidInput), (.storeFailed, "Store failed", .storeFailure),
            (.instanceBroken, "Instance broken", .conflict), (.scheduleNotFound, "Schedule not found", .notFound),
            (.scheduleExists, "Schedule exists", .conflict), (.instanceElsewhere, "Instance owned by another host", .unavailable),
        ]

        /// Every code workflowd answers with, and its standard message.
        public static var all: [(Code, String)] { table.map { ($0.code, $0.message) } }

        /// What kind of failure this code reports (a code this side does not know: an internal failure).
        public var category: ErrorCategory {
            Self.table.first { $0.code == self }?.category ?? .internalFailure
        }

        public var description: String { String(rawValue) }
    }

    public var code: Code
    public var message: String
    public var data: JSON?

    public init(_ code: Code, _ message: String, data: JSON? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    public var description: String { "\(message) (\(code.rawValue))" }

    /// `{"code", "message", "data"?}`
    public var json: JSON {
        var object: JSONObject = ["code": .number(Double(code.rawValue)), "message": .string(message)]
        if let data { object["data"] = data }
        return .object(object)
    }

    /// Reads an error object (as a client receives it).
    public init(json: JSON) throws {
        guard case .object(let object) = json, let code = object["code"]?.intValue, let message = object["message"]?.stringValue else {
            throw JSONShapeError(path: "error", "expected {code, message}")
        }
        self.init(Code(rawValue: code), message, data: object["data"])
    }

    // MARK: The specification's errors

    public static func parseError(_ detail: String) -> RPCError { RPCError(.parseError, "Parse error: \(detail)") }
    public static func invalidRequest(_ detail: String) -> RPCError { RPCError(.invalidRequest, "Invalid Request: \(detail)") }
    public static func methodNotFound(_ method: String) -> RPCError {
        RPCError(.methodNotFound, "Method not found: \(method)", data: ["method": .string(method)])
    }
    public static func invalidParams(_ detail: String, path: String? = nil) -> RPCError {
        RPCError(.invalidParams, "Invalid params: \(detail)", data: path.map { ["path": .string($0)] })
    }

    /// A limit was exceeded: `data` names it and its value.
    public static func limit(_ name: String, _ value: Int, _ detail: String) -> RPCError {
        RPCError(.limitExceeded, "Limit exceeded: \(detail) (\(name) is \(value))", data: ["limit": .string(name), "value": .number(Double(value))])
    }
}

extension RPCError: RPCErrorConvertible {
    public var rpcError: RPCError { self }
}

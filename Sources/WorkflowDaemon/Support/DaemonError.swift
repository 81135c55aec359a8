import WorkflowEngine
import WorkflowJSON
import WorkflowProtocol

/// An error the daemon answers a client with: a JSON-RPC code, a sentence, and `data`.
struct DaemonError: Error, RPCErrorConvertible, CustomStringConvertible {
    var rpcError: RPCError

    init(_ code: RPCError.Code, _ message: String, data: JSON? = nil) {
        rpcError = RPCError(code, message, data: data)
    }

    var description: String { rpcError.description }

    static func instanceNotFound(_ name: String) -> DaemonError {
        DaemonError(.instanceNotFound, "no instance '\(name)'", data: ["instance": .string(name)])
    }

    /// To a peer that may not act on it (neither its owner nor root), an instance that exists is
    /// answered exactly as one that does not: `instance.list` hides it, and no other answer may
    /// tell that it is there.
    static func notVisible(_ name: String) -> DaemonError {
        instanceNotFound(name)
    }

    static func definitionNotFound(_ name: String) -> DaemonError {
        DaemonError(.definitionNotFound, "no definition '\(name)' is loaded", data: ["definition": .string(name)])
    }

    /// Another live host owns the instance (several hosts share the database).
    static func ownedElsewhere(_ name: String, host: String) -> DaemonError {
        DaemonError(.instanceElsewhere, "instance '\(name)' is owned by host '\(host)'", data: ["instance": .string(name), "host": .string(host)])
    }

    static let shuttingDown = DaemonError(.shuttingDown, "the daemon is shutting down")
}

extension WorkflowError: RPCErrorConvertible {
    /// The engine's errors as the protocol's: each code to its JSON-RPC code
    /// (``protocolCodes``), the engine's code and the details as `data`, and the cause named.
    public var rpcError: RPCError {
        var data = details.objectValue ?? (details.isNull ? [:] : ["details": details])
        data["code"] = .string(code.description)
        if let cause { data["cause"] = .string(String(describing: cause)) }
        return RPCError(Self.protocolCodes[code] ?? .internalError, message, data: .object(data))
    }

    /// The JSON-RPC code of each engine code; an engine code not listed is an internal error
    /// (a run's own failures, such as a failed executor, are run results, not request errors).
    static let protocolCodes: [WorkflowError.Code: RPCError.Code] = [
        .instanceBusy: .instanceBusy, .requestNotFound: .requestNotFound, .responseInvalid: .responseInvalid,
        .checkpointNotFound: .checkpointNotFound, .checkpointIncompatible: .checkpointIncompatible,
        .invalidCheckpoint: .checkpointIncompatible, .runNotFound: .runNotFound, .instanceExists: .instanceExists,
        .invalidGraph: .definitionInvalid, .storeFailed: .storeFailed, .instanceBroken: .instanceBroken,
        .limitExceeded: .limitExceeded, .inputInvalid: .invalidParams,
    ]
}

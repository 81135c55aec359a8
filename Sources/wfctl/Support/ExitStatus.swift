import WorkflowJSON
import ArgumentParser
import WorkflowClient
import WorkflowProtocol

/// wfctl's exit codes (the README and `wfctl --help` list them): the sysexits.h values where one
/// fits, small numbers for how a run ended.
enum ExitStatus: Int32, CaseIterable {
    case success = 0
    /// Anything else: an internal error of the daemon, a protocol error.
    case failure = 1
    case runFailed = 2
    case runCancelled = 3
    case runWaiting = 4
    /// EX_USAGE: wrong arguments (ArgumentParser's own code for them).
    case usage = 64
    /// EX_DATAERR: invalid input, a response that fails its schema, a definition with an error.
    case invalidInput = 65
    /// EX_NOINPUT: no such instance, definition, request, checkpoint or run.
    case notFound = 66
    /// EX_UNAVAILABLE: no daemon answers on the socket.
    case unreachable = 69
    /// EX_IOERR: the daemon's storage failed (nothing was accepted; try again once it is back).
    case storeFailed = 74
    /// EX_TEMPFAIL: busy or conflict (a run is active, the name exists, the checkpoint does not fit).
    case conflict = 75
    /// EX_NOPERM: this user may not use the daemon's socket (not in its group).
    case permissionDenied = 77

    var code: ExitCode { ExitCode(rawValue) }

    var meaning: String {
        switch self {
        case .success: "success"
        case .failure: "another error (an internal error of the daemon, a protocol error)"
        case .runFailed: "the run failed"
        case .runCancelled: "the run was cancelled"
        case .runWaiting: "the run ended waiting: for a person (open requests), a time or a signal"
        case .usage: "usage error (wrong arguments or options)"
        case .invalidInput: "invalid input, a response that fails its schema, a broken definition"
        case .notFound: "not found: instance, definition, request, checkpoint, run or schedule"
        case .unreachable: "daemon unreachable (no socket, nobody listening, shutting down)"
        case .storeFailed: "the daemon's storage failed (nothing was accepted; try again)"
        case .conflict: "busy or conflict (a run is active, the name is taken, the instance is broken)"
        case .permissionDenied: "permission denied (not in the group of the daemon's socket; deleting a file's schedule)"
        }
    }

    /// The help text's table.
    static var table: String {
        allCases.map { "  \(String($0.rawValue).padding(3))  \($0.meaning)" }.joined(separator: "\n")
    }

    /// How a run's status ends the command.
    static func of(runStatus status: RunStatusValue) -> ExitStatus {
        switch status {
        case .failed: .runFailed
        case .cancelled: .runCancelled
        case .idleWithPendingRequests, .waiting: .runWaiting
        case .idle, .queued, .inProgress: .success
        }
    }

    /// How a status an event reports ends the command (one this wfctl does not know: success).
    static func of(runStatus status: String) -> ExitStatus {
        RunStatusValue(rawValue: status).map { of(runStatus: $0) } ?? .success
    }

    /// The exit status an error calls for.
    static func of(_ error: WorkflowClientError) -> ExitStatus {
        switch error.code {
        case .unreachable, .connectionLost: return .unreachable
        case .accessDenied: return .permissionDenied
        case .rpc:
            // The protocol's table says what kind of failure each code is.
            switch error.rpcCode?.category ?? .internalFailure {
            case .invalidInput: return .invalidInput
            case .notFound: return .notFound
            case .conflict: return .conflict
            case .permissionDenied: return .permissionDenied
            case .unavailable: return .unreachable
            case .storeFailure: return .storeFailed
            case .internalFailure: return .failure
            }
        default: return .failure
        }
    }
}

extension String {
    /// Padded with spaces to `width` characters.
    func padding(_ width: Int) -> String {
        self + String(repeating: " ", count: max(0, width - count))
    }
}

import PostgresNIO
import WorkflowJSON
import WorkflowEngine

/// PostgreSQL's errors as errors a client or operator can act on: what the server said (a wrong
/// password, a database that does not exist, a constraint), or that it could not be reached.
enum PostgresFailure {
    /// A `storeFailed` error naming PostgreSQL's complaint; other errors as they are.
    static func describe(_ error: any Error) -> any Error {
        if let closed = error as? PostgresSession.ConnectionClosed {
            return WorkflowError(.storeFailed, closed.description, cause: closed)
        }
        guard let psql = error as? PSQLError else { return error }
        if let info = psql.serverInfo, let message = info[.message] {
            var details: JSONObject = [:]
            if let state = info[.sqlState] { details["sqlstate"] = .string(state) }
            var text = "PostgreSQL refused: \(message)"
            if let detail = info[.detail] { text += " (\(detail))" }
            return WorkflowError(.storeFailed, text, details: .object(details), cause: psql)
        }
        let what: String
        switch psql.code {
        case .serverClosedConnection, .clientClosedConnection, .uncleanShutdown:
            what = "the connection to PostgreSQL was closed"
        case .connectionError:
            what = "PostgreSQL could not be reached"
        case .authMechanismRequiresPassword:
            what = "PostgreSQL asks for a password and none was given (--database-password-file, or the credential database-password)"
        case .unsupportedAuthMechanism, .saslError:
            what = "PostgreSQL's authentication failed"
        default:
            what = "PostgreSQL failed (\(psql.code))"
        }
        let cause = psql.underlying.map { ": \($0)" } ?? ""
        return WorkflowError(.storeFailed, what + cause, cause: psql)
    }

    /// Whether `error` means the connection is gone (the next use should connect again).
    static func isConnectionLost(_ error: any Error) -> Bool {
        if error is PostgresSession.ConnectionClosed || (error as? WorkflowError)?.cause is PostgresSession.ConnectionClosed { return true }
        let psql = (error as? PSQLError) ?? ((error as? WorkflowError)?.cause as? PSQLError)
        guard let psql else { return false }
        switch psql.code {
        case .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .connectionError: return true
        default: return psql.serverInfo?[.sqlState].map { $0.hasPrefix("57P") || $0.hasPrefix("08") } ?? false
        }
    }
}

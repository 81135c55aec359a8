#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import Foundation
import WorkflowClient
import WorkflowJSON
import WorkflowProtocol

/// What a command works with: the client, the terminal, and whether to print JSON. Errors are
/// turned into a message and an exit status here, in one place.
struct Session {
    let client: WorkflowClient
    let terminal: Terminal
    let json: Bool
    let socketPath: String

    /// The caller's span, from `TRACEPARENT` (as a traced shell script or CI job sets it, the
    /// environment being OpenTelemetry's carrier for processes): passed with run, respond and
    /// signal, so the daemon's spans join that trace. A value that is not a traceparent is not sent.
    static var traceparent: String? {
        guard let value = ProcessInfo.processInfo.environment["TRACEPARENT"], value.utf8.count == 55,
              value.split(separator: "-", omittingEmptySubsequences: false).map(\.count) == [2, 32, 16, 2],
              value.allSatisfy({ "0123456789abcdef-".contains($0) }) else { return nil }
        return value
    }

    /// Runs a command's body: its exit status, or its error's, printed for people (stderr) or as
    /// JSON (stdout, `{"error": ...}`).
    static func run(_ options: ClientOptions, _ body: (Session) async throws -> ExitStatus) async throws {
        let environment = ProcessInfo.processInfo.environment
        let terminal = Terminal(environment: environment)
        let path = SocketLocator(environment: environment).path(explicit: options.socket)
        let session = Session(client: WorkflowClient(socketPath: path), terminal: terminal, json: options.json, socketPath: path)
        let status: ExitStatus
        do {
            status = try await body(session)
        } catch let error as WorkflowClientError {
            status = ExitStatus.of(error)
            session.report(error)
        } catch let failure as Failure {
            status = failure.status
            session.report(failure)
        }
        await session.client.close()
        if status != .success { throw status.code }
    }

    /// Runs a command that needs no daemon.
    static func offline(json: Bool, _ body: (Terminal) throws -> ExitStatus) throws {
        let terminal = Terminal(environment: ProcessInfo.processInfo.environment)
        let status: ExitStatus
        do {
            status = try body(terminal)
        } catch let failure as Failure {
            status = failure.status
            report(failure, json: json, terminal: terminal)
        }
        if status != .success { throw status.code }
    }

    func report(_ error: WorkflowClientError) {
        if json {
            var object: JSONObject = ["message": .string(error.message), "kind": .string(error.code.description)]
            if let rpc = error.rpc { object["code"] = .number(Double(rpc.code.rawValue)); object["data"] = rpc.data }
            terminal.json(["error": .object(object)])
            return
        }
        var text = "wfctl: " + error.message
        if let data = error.rpc?.data, case .object(let fields) = data {
            let details = fields.keys.sorted().compactMap { key -> String? in
                guard let value = fields[key] else { return nil }
                return "\(key): \(value.stringValue ?? value.serialized())"
            }
            if !details.isEmpty, error.rpcCode == .responseInvalid || error.rpcCode == .invalidParams || error.rpcCode == .limitExceeded {
                text += "\n  " + details.joined(separator: "\n  ")
            }
        }
        if error.code == .unreachable {
            text += "\n  Is workflowd running? " + (socketPath.hasPrefix("/run/")
                ? "As a system service it starts on the first connection once `systemctl enable --now workflowd.socket` has been run."
                : "Another socket can be given with --socket or WORKFLOWD_SOCKET; in the project, `Contrib/dev/run` starts the Quick start's daemon.")
        } else if error.code == .accessDenied {
            text += "\n  Ask an administrator to add you to that group, then log in again."
        }
        terminal.error(text)
    }

    func report(_ failure: Failure) {
        Self.report(failure, json: json, terminal: terminal)
    }

    static func report(_ failure: Failure, json: Bool, terminal: Terminal) {
        if json {
            terminal.json(["error": ["message": .string(failure.message)]])
        } else {
            terminal.error("wfctl: " + failure.message + (failure.hint.map { "\n  " + $0 } ?? ""))
        }
    }
}

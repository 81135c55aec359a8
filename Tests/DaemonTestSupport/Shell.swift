import Foundation
import WorkflowTestSupport

/// Runs a command to its end (through ``ChildProcess``) and gives its exit status.
package enum Shell {
    package static func run(_ arguments: [String]) async throws -> Int32 {
        try await withCheckedThrowingContinuation { continuation in
            do {
                _ = try ChildProcess.spawn(arguments[0], Array(arguments.dropFirst()), environment: ProcessInfo.processInfo.environment,
                                           onOutput: nil, onError: { _ in }, onExit: { continuation.resume(returning: $0) })
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }

    /// The same, blocking the calling thread (for a `defer` that must undo a mount).
    package static func runBlocking(_ arguments: [String]) throws -> Int32 {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var status: Int32 = -1
        _ = try ChildProcess.spawn(arguments[0], Array(arguments.dropFirst()), environment: ProcessInfo.processInfo.environment,
                                   onOutput: nil, onError: { _ in }, onExit: { status = $0; done.signal() })
        done.wait()
        return status
    }
}

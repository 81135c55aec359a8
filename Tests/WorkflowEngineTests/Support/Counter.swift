import Testing
@testable import WorkflowEngine
@_exported import WorkflowTestSupport

/// Counts the messages it saw (state that snapshots and restores) and forwards them.
struct Counter: Executor {
    var seen = 0
    mutating func handle(_ message: JSON, context: inout ExecutorContext) async throws {
        seen += 1
        context.send(message)
    }
    func snapshot() throws -> JSON { ["seen": .number(Double(seen))] }
    mutating func restore(from snapshot: JSON) throws {
        guard let seen = snapshot["seen"]?.intValue else { throw WorkflowError(.invalidCheckpoint, "counter snapshot lacks 'seen'") }
        self.seen = seen
    }
}

import Dispatch
import WorkflowJSON

/// Runs blocking work (reading definition files, creating directories) on dispatch threads of
/// its own, never on Swift's cooperative pool.
enum Blocking {
    private static let queue = DispatchQueue(label: "workflowd.daemon.blocking", attributes: .concurrent)

    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await QueueWork.run(on: queue, body)
    }
}

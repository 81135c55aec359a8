import Dispatch

/// Runs work that blocks (opening a database, reading definition files, creating directories,
/// scanning `/proc`, pausing) on dispatch threads of its own, never on Swift's cooperative pool,
/// whose few threads must stay free for the engine and the event loops.
public enum BlockingWork {
    private static let queue = DispatchQueue(label: "workflowd.blocking", attributes: .concurrent)

    /// Runs `body` on a blocking-work thread and returns its result (or throws its error).
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await QueueWork.run(on: queue, body)
    }

    /// Waits `seconds` without holding a thread, even in a cancelled task (unlike `Task.sleep`).
    public static func pause(_ seconds: Double) async {
        await withCheckedContinuation { continuation in
            queue.asyncAfter(deadline: .now() + seconds) { continuation.resume() }
        }
    }
}

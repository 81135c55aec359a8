import WorkflowConcurrency
import WorkflowEngine

/// When instances' waits are due: each instance row keeps its soonest armed wait (`nextWake`,
/// written by the commits that change it, indexed only where there is one), so the daemon reads
/// the few instances due soon and never holds a million stored timers in memory.
extension SQLStore {
    public func instancesWaking(through time: Double, limit: Int) async throws -> [(instance: String, due: Double)] {
        try await read { db in
            try db.rows("""
                SELECT name, nextWake FROM instance WHERE nextWake IS NOT NULL AND nextWake <= ? AND paused IS NULL ORDER BY nextWake LIMIT ?
                """, [.real(time), .integer(limit)]).map { (instance: try $0.text("name"), due: try $0.real("nextWake")) }
        }
    }

    public func observeWakes(_ observer: @escaping @Sendable ([String: Double?]) -> Void) {
        shared.wakeObserver.withLock { $0 = observer }
    }

    /// Tells the observer what a commit changed (nothing when it changed nothing).
    func announce(_ wakes: [String: Double?]) {
        guard !wakes.isEmpty, let observer = shared.wakeObserver.withLock({ $0 }) else { return }
        observer(wakes)
    }
}

import WorkflowConcurrency
import WorkflowEngine

/// The loop the timer and schedule services share: read what is due soon from the store every
/// so often, take what is due now, then sleep until the soonest thing held, or until rung (a
/// change came that may be sooner).
final class Alarm: Sendable {
    /// Resolved to wake the loop early; a new one for every sleep.
    private let bell = Locked(Promise<Void>())

    /// Wakes the loop now.
    func ring() {
        bell.withLock { $0 }.resolve(.success(()))
    }

    /// Runs until the task is cancelled: `refresh` every `refreshInterval` seconds (and first),
    /// then `pass`, which takes what is due and says when the soonest held thing is due.
    func loop(clock: any WorkflowClock, refreshInterval: Double, refresh: () async -> Void, pass: () async -> Double?) async {
        var nextRefresh = -Double.infinity
        while !Task.isCancelled {
            let bell = Promise<Void>()
            self.bell.withLock { $0 = bell }
            if clock.now() >= nextRefresh {
                await refresh()
                nextRefresh = clock.now() + refreshInterval
            }
            let next = min(await pass() ?? .infinity, nextRefresh)
            let delay = next - clock.now()
            guard delay > 0 else { continue }
            await withTaskGroup(of: Void.self) { group in
                group.addTask { try? await Task.sleep(for: .milliseconds(Int64((delay * 1000).rounded(.up)))) }
                group.addTask { _ = try? await bell.value() }
                await group.next()
                group.cancelAll()
            }
        }
    }
}

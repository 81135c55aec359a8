import NIOCore
import WorkflowConcurrency
import WorkflowJSON
import WorkflowProtocol

/// The open connections, counted in all and per uid against the limits, and kept so that a
/// shutdown can close them once their subscribers have been told.
final class ConnectionCounter: Sendable {
    private struct State {
        var total = 0
        var byUID: [UInt32: Int] = [:]
        var nextID = 0
        var channels: [Int: any Channel] = [:]
        var emptyWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Locked(State())
    let limits: DaemonLimits

    init(limits: DaemonLimits) { self.limits = limits }

    /// Counts a new connection of `uid`, or says which limit it would exceed.
    func open(uid: UInt32, channel: any Channel) -> Result<Int, DaemonError> {
        state.withLock { state in
            if state.total >= limits.maxConnections {
                return .failure(DaemonError(.limitExceeded, "Limit exceeded: too many connections (maxConnections is \(limits.maxConnections))",
                                            data: ["limit": "maxConnections", "value": .number(Double(limits.maxConnections))]))
            }
            if state.byUID[uid, default: 0] >= limits.maxConnectionsPerUID {
                return .failure(DaemonError(.limitExceeded, "Limit exceeded: too many connections of uid \(uid) (maxConnectionsPerUID is \(limits.maxConnectionsPerUID))",
                                            data: ["limit": "maxConnectionsPerUID", "value": .number(Double(limits.maxConnectionsPerUID))]))
            }
            state.total += 1
            state.byUID[uid, default: 0] += 1
            state.nextID += 1
            state.channels[state.nextID] = channel
            return .success(state.nextID)
        }
    }

    func close(id: Int, uid: UInt32) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard state.channels.removeValue(forKey: id) != nil else { return [] }
            state.total -= 1
            state.byUID[uid, default: 1] -= 1
            if state.byUID[uid] == 0 { state.byUID[uid] = nil }
            guard state.channels.isEmpty else { return [] }
            defer { state.emptyWaiters = [] }
            return state.emptyWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once no connection is open, or after `timeout`; true if none is.
    func allClosed(within timeout: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let now = self.state.withLock { state -> Bool in
                        if state.channels.isEmpty { return true }
                        state.emptyWaiters.append(continuation)
                        return false
                    }
                    if now { continuation.resume() }
                }
                return true
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            if !first {
                // The waiter stays registered: released by the last close, or by closeAll's.
                self.closeAll()
            }
            group.cancelAll()
            return first
        }
    }

    /// Closes every connection at once, whatever it still has to send (a peer that does not
    /// read would otherwise hold a shutdown forever).
    func closeAll() {
        let channels = state.withLock { Array($0.channels.values) }
        for channel in channels { channel.close(mode: .all, promise: nil) }
    }

    var open: Int { state.withLock { $0.total } }

    /// Stops reading from every connection: each answers what it has in progress, then closes.
    func closeAllInputs() {
        let channels = state.withLock { Array($0.channels.values) }
        for channel in channels { channel.close(mode: .input, promise: nil) }
    }
}

import Logging
import WorkflowConcurrency
import WorkflowJSON
import WorkflowProtocol
import WorkflowStore

/// Requests for instances another host owns (DESIGN.md §12), both ways: as the host a client
/// asked, it stores the request for the owner and waits for the answer; as the owner, it takes
/// the requests stored for it, applies them with the asking peer's rights, and stores their
/// answers. Notices (LISTEN/NOTIFY) wake each side; each also polls every second, so a notice
/// lost costs a second, never a request.
///
/// A request is applied at least once: if the owner dies before it answers, the asking host
/// withdraws it and applies it itself once the instance is taken over (a response already
/// delivered is then refused as answered; runs are made idempotent by their keys).
final class CommandRelay: Sendable {
    let store: any InstanceStore
    let logger: Logger
    /// Origin side: the commands this host waits for, each with the promise its answer's notice resolves.
    private let waiting = Locked<[Int64: Promise<Void>]>([:])
    /// Owner side: rung when commands wait for this host.
    private let bell = Locked(Promise<Void>())
    /// Owner side: commands being applied now.
    private let applying = Locked(0)
    /// Commands applied at once (the rest wait in the table).
    static let maxApplying = 256
    /// How often each side looks without a notice.
    static let poll: Duration = .seconds(1)
    /// Commands (answered or not) older than this are removed: their origin is gone.
    static let commandLifetime = 3600.0

    init(store: any InstanceStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// A notice from another host.
    func heard(_ notice: StoreNotice) {
        switch notice {
        case .commands: bell.withLock { $0 }.resolve(.success(()))
        case .answer(let id): waiting.withLock { $0[id] }?.resolve(.success(()))
        case .events, .watch: break  // for the log tails and the store
        }
    }

    // MARK: Asking

    /// Passes a request to `host`, which owns `instance`, and waits for its answer (a JSON-RPC
    /// result or error). Nil: `host` died before answering and the request was withdrawn; the
    /// caller applies it itself.
    func forward(_ method: String, _ params: JSON?, peer: Peer, instance: String, to host: String, hops: Int) async -> Result<JSON, RPCError>? {
        let id: Int64
        do {
            id = try await store.sendCommand(to: host, instance: instance, method: method, params: params, uid: peer.uid, gid: peer.gid,
                                             pid: peer.pid, hops: hops)
        } catch {
            return .failure(Self.storeFailure(error))
        }
        defer { _ = waiting.withLock { $0.removeValue(forKey: id) } }
        var failing = false
        while true {
            let wake = Promise<Void>()
            waiting.withLock { $0[id] = wake }
            do {
                if let answer = try await store.commandAnswer(id) {
                    try? await store.forgetCommand(id)
                    return Self.outcome(answer)
                }
                // Whether the owner is still there: once its lease has passed, the instance is
                // free to take over, and the request is applied where it was asked.
                if !(try await store.isAlive(host: host)), try await store.withdrawCommand(id) { return nil }
            } catch {
                // Said once, not at every look, while the database is away.
                if !failing {
                    logger.warning("could not look for a command's answer; looking again", metadata: ["command": "\(id)", "error": "\(error)"])
                    failing = true
                }
            }
            if Task.isCancelled {
                // The client went away: the request is withdrawn if it was not answered yet.
                _ = try? await store.withdrawCommand(id)
                return .failure(RPCError(.internalError, "the request was cancelled"))
            }
            await Self.wait(for: wake, upTo: Self.poll)
        }
    }

    /// A stored answer as the request's outcome.
    static func outcome(_ answer: JSON) -> Result<JSON, RPCError> {
        if let error = answer["error"], let decoded = try? RPCError(json: error) { return .failure(decoded) }
        return .success(answer["result"] ?? .null)
    }

    static func storeFailure(_ error: any Error) -> RPCError {
        if let rpc = (error as? any RPCErrorConvertible)?.rpcError { return rpc }
        return RPCError(.storeFailed, "the request could not be passed to the host that owns the instance: \(error)")
    }

    // MARK: Answering

    /// Takes the commands stored for this host and applies each with `apply` (a few hundred at
    /// once), until the task is cancelled; removes old ones now and then.
    func serve(_ apply: @escaping @Sendable (StoredCommand) async -> JSON) async {
        var lastCleanup = ContinuousClock.now
        var failing = false
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                let wake = Promise<Void>()
                bell.withLock { $0 = wake }
                let room = Self.maxApplying - applying.withLock { $0 }
                do {
                    for command in try await store.takeCommands(limit: room) {
                        applying.withLock { $0 += 1 }
                        group.addTask { [self] in
                            let answer = await apply(command)
                            do {
                                try await store.answerCommand(command, answer: answer)
                            } catch {
                                logger.warning("could not store a command's answer; its host applies it again once this one's lease has passed",
                                               metadata: ["command": "\(command.id)", "error": "\(error)"])
                            }
                            applying.withLock { $0 -= 1 }
                            bell.withLock { $0 }.resolve(.success(()))  // room again
                        }
                    }
                    if ContinuousClock.now - lastCleanup > .seconds(60) {
                        lastCleanup = .now
                        _ = try await store.forgetCommands(olderThan: Self.commandLifetime)
                    }
                    if failing {
                        logger.notice("taking the commands waiting for this host again")
                        failing = false
                    }
                } catch {
                    // Said once per outage, not every second.
                    if !failing {
                        logger.warning("could not take the commands waiting for this host; trying again every second", metadata: ["error": "\(error)"])
                        failing = true
                    }
                }
                await Self.wait(for: wake, upTo: Self.poll)
            }
        }
    }

    /// Waits for `promise`, at most `limit`.
    static func wait(for promise: Promise<Void>, upTo limit: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: limit) }
            group.addTask { _ = try? await promise.value() }
            await group.next()
            group.cancelAll()
        }
    }
}

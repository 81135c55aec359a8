import Logging
import WorkflowEngine
import WorkflowJSON
import WorkflowProtocol
import WorkflowStore

extension Handlers {
    static func registerEvents(_ dispatcher: inout Dispatcher) {
        dispatcher.register(EventMethods.Subscribe.self) { params, context in
            let connection = context.connection
            let limit = context.daemon.limits.maxSubscriptionsPerConnection
            guard let id = connection.reserveSubscription(limit: limit) else {
                throw RPCError.limit("maxSubscriptionsPerConnection", limit, "this connection holds too many subscriptions")
            }
            // The lease is held for as long as the subscription lasts (the instance stays loaded).
            let lease: InstanceLease
            do {
                lease = try await context.registry.acquire(params.instance, peer: context.peer)
            } catch let error as DaemonError where error.rpcError.code == .instanceElsewhere && context.daemon.relay != nil {
                // Another host owns it: its log is read here.
                return try await subscribeToLog(params, id: id, context: context)
            }
            let subscription: EventSubscription
            do {
                subscription = try await lease.instance.subscribe(afterSeq: params.afterSeq)
            } catch {
                await context.registry.release(lease)
                throw error
            }
            connection.register(id, .local(lease: lease, engineID: subscription.id))
            context.daemon.subscriptionOpened()
            let missed = subscription.missed.map { EventMethods.Subscribe.Result.Missed(first: $0.lowerBound, last: $0.upperBound) }
            let result = EventMethods.Subscribe.Result(subscription: id, nextSeq: subscription.liveFrom, missed: missed)
            return (result, { await pump(subscription, id: id, lease: lease, after: params.afterSeq ?? 0, context: context) })
        }
        dispatcher.register(EventMethods.Unsubscribe.self) { params, context in
            guard let subscription = context.connection.remove(params.subscription) else {
                return EventMethods.Unsubscribe.Result(unsubscribed: false)
            }
            // Its pump sees the end and lets go of the instance.
            await subscription.end()
            return EventMethods.Unsubscribe.Result(unsubscribed: true)
        }
        dispatcher.register(EventMethods.Read.self, serving: InstanceService.events)
    }

    /// How long a replay waits for its reader to take what was sent before it counts as too slow.
    static let replayStall: Duration = .seconds(30)

    /// Sends a subscription's events to its connection, in order, until it ends: unsubscribed,
    /// the connection gone, the reader too slow (`events.overflow`), or the instance deleted or
    /// the daemon stopping (`events.closed`).
    static func pump(_ subscription: EventSubscription, id: String, lease: InstanceLease, after: UInt64, context: RequestContext) async {
        let writer = context.connection.writer
        var lastSeq = after
        var overflowed = false
        do {
            for try await event in subscription {
                // Events from the log (a replay) go at the reader's pace; live ones are taken or
                // refused at once (the subscription's own buffer is what waits for a slow reader).
                if event.seq < subscription.liveFrom {
                    if await !writer.waitForRoom(timeout: Self.replayStall) {
                        overflowed = !Task.isCancelled
                        break
                    }
                    // Unsubscribed: the rest of the log is not sent (live events end with the
                    // subscription's buffer; a replay reads on from the store until told).
                    guard context.connection.holds(id) else { break }
                }
                let line = RPCOutgoing.eventLine(subscription: id, event: context.daemon.eventBytes.bytes(of: event))
                guard writer.sendEvent(line: line) else {
                    overflowed = true
                    break
                }
                lastSeq = event.seq
            }
        } catch let overflow as SubscriptionOverflow {
            overflowed = true
            lastSeq = max(lastSeq, overflow.lastSeq)
        } catch {
            // The connection is going away (cancelled): nothing to tell.
        }
        // Whoever removes it from the table ends it: the client (unsubscribe) or this pump.
        let stillOurs = context.connection.remove(id) != nil
        if stillOurs {
            await lease.instance.unsubscribe(subscription.id)
            do {
                if overflowed {
                    writer.send(try EventMethods.Overflow.message(.init(subscription: id, lastSeq: lastSeq)))
                    context.logger.notice("a subscriber was too slow and was dropped", metadata: ["instance": "\(lease.name)", "subscription": "\(id)"])
                } else if !Task.isCancelled {
                    let reason: EventMethods.Closed.Reason = context.daemon.isStopping ? .shutdown : .deleted
                    writer.send(try EventMethods.Closed.message(.init(subscription: id, reason: reason, lastSeq: lastSeq)))
                }
            } catch {
                context.logger.error("could not tell a subscriber that its subscription ended", metadata: ["subscription": "\(id)", "error": "\(error)"])
            }
        }
        context.daemon.subscriptionClosed()
        await context.registry.release(lease)
    }

    /// A subscription to an instance another host owns: after the peer's right to see it is
    /// checked (its record), the log is read from `afterSeq` (or from now), and read on as the
    /// owner's commits are announced.
    static func subscribeToLog(_ params: EventMethods.Subscribe.Params, id: String, context: RequestContext) async throws
        -> (EventMethods.Subscribe.Result, @Sendable () async -> Void) {
        let store = context.daemon.store
        _ = try await context.registry.record(params.instance, peer: context.peer)
        let last = try await store.lastEventSeq(instance: params.instance) ?? 0
        let after = params.afterSeq ?? last
        var missed: EventMethods.Subscribe.Result.Missed?
        if let oldest = try await store.oldestEventSeq(instance: params.instance), after + 1 < oldest {
            missed = .init(first: after + 1, last: oldest - 1)
        }
        let tail = LogTail(instance: params.instance)
        context.connection.register(id, .log(tail))
        context.daemon.subscriptionOpened()
        let result = EventMethods.Subscribe.Result(subscription: id, nextSeq: last + 1, missed: missed)
        return (result, { await pumpLog(tail, id: id, after: after, context: context) })
    }

    /// Events read per look at the log.
    static let logPage = 256

    /// Sends the log's events to the connection as they are committed, until the subscription
    /// ends (unsubscribed, the connection gone), the reader is too slow (`events.overflow`), or
    /// the instance is deleted or the daemon stops (`events.closed`).
    static func pumpLog(_ tail: LogTail, id: String, after: UInt64, context: RequestContext) async {
        let daemon = context.daemon
        let writer = context.connection.writer
        var lastSeq = after
        var overflowed = false
        var deleted = false
        var quietLooks = 0
        var watchedAt: ContinuousClock.Instant?
        var failing = false
        daemon.logTails.add(tail)
        reading: while !tail.isEnded, !Task.isCancelled, !daemon.isStopping {
            let wake = tail.arm()
            do {
                // The owner (whichever host it is by now) announces the instance's new events
                // while this watch lasts; renewed well before it ends.
                if watchedAt.map({ ContinuousClock.now - $0 >= PostgresStore.watchRenewal }) ?? true {
                    try await daemon.store.watch(instance: tail.instance)
                    watchedAt = .now
                }
                let events = try await daemon.store.events(instance: tail.instance, afterSeq: lastSeq, limit: Self.logPage)
                for event in events {
                    if await !writer.waitForRoom(timeout: Self.replayStall) {
                        overflowed = !Task.isCancelled
                        break reading
                    }
                    guard context.connection.holds(id) else { break reading }
                    guard writer.sendEvent(line: RPCOutgoing.eventLine(subscription: id, event: daemon.eventBytes.bytes(of: event))) else {
                        overflowed = true
                        break reading
                    }
                    lastSeq = event.seq
                }
                if events.count == Self.logPage { continue }
                quietLooks = events.isEmpty ? quietLooks + 1 : 0
                // Quiet for a while: is the instance still there?
                if quietLooks % 10 == 9, try await daemon.store.instance(named: tail.instance) == nil {
                    deleted = true
                    break
                }
                failing = false
            } catch {
                // Said once per outage, not every second.
                if !failing {
                    context.logger.warning("could not read an instance's log for a subscriber; reading again every second", metadata: [
                        "instance": "\(tail.instance)", "subscription": "\(id)", "error": "\(error)"])
                    failing = true
                }
            }
            await CommandRelay.wait(for: wake, upTo: .seconds(1))
        }
        daemon.logTails.remove(tail)
        if context.connection.remove(id) != nil {
            do {
                if overflowed {
                    writer.send(try EventMethods.Overflow.message(.init(subscription: id, lastSeq: lastSeq)))
                    context.logger.notice("a subscriber was too slow and was dropped", metadata: ["instance": "\(tail.instance)", "subscription": "\(id)"])
                } else if deleted || daemon.isStopping {
                    writer.send(try EventMethods.Closed.message(.init(subscription: id, reason: deleted ? .deleted : .shutdown, lastSeq: lastSeq)))
                }
            } catch {
                context.logger.error("could not tell a subscriber that its subscription ended", metadata: ["subscription": "\(id)", "error": "\(error)"])
            }
        }
        daemon.subscriptionClosed()
    }
}

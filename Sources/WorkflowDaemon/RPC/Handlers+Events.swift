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
            let lease = try await context.registry.acquire(params.instance, peer: context.peer)
            let subscription: EventSubscription
            do {
                subscription = try await lease.instance.subscribe(afterSeq: params.afterSeq)
            } catch {
                await context.registry.release(lease)
                throw error
            }
            connection.register(id, ConnectionContext.Subscription(lease: lease, engineID: subscription.id))
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
            await subscription.lease.instance.unsubscribe(subscription.engineID)
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
}

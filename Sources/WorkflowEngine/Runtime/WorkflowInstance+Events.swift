extension WorkflowInstance {
    /// Streams the instance's events: first those the log holds after `afterSeq` (read from the
    /// store a page at a time, outside the instance), then live ones, in seq order, with no gap
    /// and no duplicate at the hand-over. The subscription's buffer is bounded (see
    /// ``EventSubscription``); it lasts until ``unsubscribe(_:)``, an overflow, or shutdown.
    /// Without `afterSeq` (or without a store) only live events come. `bufferLimit` overrides
    /// the instance's `subscriptionBufferLimit` for this subscription.
    /// - Throws: `instanceBusy` naming the limit when the instance already has
    ///   `subscriptionLimit` subscriptions; `storeFailed` if the log cannot be read.
    public func subscribe(afterSeq: UInt64? = nil, bufferLimit: Int? = nil) async throws -> EventSubscription {
        guard subscribers.count < configuration.subscriptionLimit else {
            throw WorkflowError(.instanceBusy, "instance '\(name)' already has \(subscribers.count) subscriptions (the limit)",
                                details: ["instance": .string(name), "limit": .number(Double(configuration.subscriptionLimit))])
        }
        let buffer = SubscriptionBuffer(limit: bufferLimit ?? configuration.subscriptionBufferLimit, budget: configuration.subscriptionBudget)
        let id = nextSubscriberID
        nextSubscriberID += 1
        // Registered first: every event delivered from now on reaches it; the log covers the rest.
        let liveFrom = nextDeliverySeq
        subscribers[id] = buffer
        guard let afterSeq, let store = configuration.store, afterSeq + 1 < liveFrom else {
            return EventSubscription(id: id, liveFrom: liveFrom, missed: nil, buffer: buffer, replay: nil)
        }
        do {
            let firstPage = try await store.events(instance: name, afterSeq: afterSeq, limit: EventSubscription.pageSize)
                .filter { $0.seq < liveFrom }
            var missed: ClosedRange<UInt64>?
            let firstAvailable = firstPage.first?.seq ?? liveFrom
            if firstAvailable > afterSeq + 1 { missed = (afterSeq + 1)...(firstAvailable - 1) }
            return EventSubscription(id: id, liveFrom: liveFrom, missed: missed, buffer: buffer,
                                     replay: .init(store: store, instance: name, firstPage: firstPage, afterSeq: afterSeq, until: liveFrom))
        } catch {
            subscribers[id] = nil
            buffer.finish()
            throw WorkflowError(.storeFailed, "instance '\(name)': the event log could not be read: \(error)", cause: error)
        }
    }

    /// Ends subscription `id` (its iteration finishes after what it holds).
    /// - Returns: whether there was such a subscription.
    @discardableResult
    public func unsubscribe(_ id: Int) -> Bool {
        guard let buffer = subscribers.removeValue(forKey: id) else { return false }
        buffer.finish()
        return true
    }
}

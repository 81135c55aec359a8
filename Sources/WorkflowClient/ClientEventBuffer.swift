import NIOConcurrencyHelpers
import WorkflowJSON

/// The events of one subscription on one connection, waiting to be read: bounded. A reader that
/// falls too far behind loses the buffer's tail, not an event: the stream notes where it is and
/// subscribes again after the last event it delivered.
final class ClientEventBuffer: Sendable {
    /// Why a subscription ended.
    enum End: Sendable {
        /// The connection closed (the daemon stopped or restarted): resume elsewhere.
        case connectionLost
        /// The daemon's send queue for this reader overflowed: resume.
        case overflow
        /// This buffer overflowed on the client's side: resume.
        case localOverflow
        /// The daemon is shutting down: resume once it is back.
        case shutdown
        /// The instance was deleted: the stream ends.
        case deleted
        /// The reading task was cancelled.
        case cancelled
    }

    enum Item: Sendable {
        case event(JSON)
        case ended(End)
    }

    private struct State {
        var items: [Item] = []
        var head = 0
        var waiter: CheckedContinuation<Item, Never>?
        var ended = false
    }

    private let state = NIOLockedValueBox(State())
    let limit: Int

    init(limit: Int) { self.limit = limit }

    func push(_ event: JSON) {
        deliver(.event(event))
    }

    func end(_ reason: End) {
        deliver(.ended(reason))
    }

    private func deliver(_ item: Item) {
        let waiter = state.withLockedValue { state -> CheckedContinuation<Item, Never>? in
            guard !state.ended else { return nil }
            if case .ended = item { state.ended = true }
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            if case .event = item, state.items.count - state.head >= limit {
                state.items.append(.ended(.localOverflow))
                state.ended = true
                return nil
            }
            state.items.append(item)
            return nil
        }
        waiter?.resume(returning: item)
    }

    /// The next event or the end (waits for one).
    func next() async -> Item {
        await withTaskCancellationHandler {
            await take()
        } onCancel: {
            end(.cancelled)
        }
    }

    private func take() async -> Item {
        await withCheckedContinuation { continuation in
            let ready = state.withLockedValue { state -> Item? in
                guard state.head < state.items.count else {
                    state.waiter = continuation
                    return nil
                }
                let item = state.items[state.head]
                state.head += 1
                if state.head > 1024 && state.head * 2 > state.items.count {
                    state.items.removeFirst(state.head)
                    state.head = 0
                }
                return item
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}

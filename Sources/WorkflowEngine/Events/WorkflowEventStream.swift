/// A live sequence of events. The engine hands events over in batches (one per superstep on the
/// inline path) so a consumer is woken once per batch, not once per event; this sequence flattens
/// them. It ends when its run ends (for a run's stream) or when the subscription is dropped.
public struct WorkflowEventStream: AsyncSequence, Sendable {
    public typealias Element = WorkflowEvent
    public typealias Failure = Never

    let batches: AsyncStream<[WorkflowEvent]>

    init(_ batches: AsyncStream<[WorkflowEvent]>) { self.batches = batches }

    /// A stream that has already ended.
    static let finished: WorkflowEventStream = {
        let (stream, continuation) = AsyncStream<[WorkflowEvent]>.makeStream()
        continuation.finish()
        return WorkflowEventStream(stream)
    }()

    public func makeAsyncIterator() -> Iterator { Iterator(base: batches.makeAsyncIterator()) }

    public struct Iterator: AsyncIteratorProtocol {
        var base: AsyncStream<[WorkflowEvent]>.Iterator
        var batch: [WorkflowEvent] = []
        var index = 0

        public mutating func next() async -> WorkflowEvent? {
            await next(isolation: #isolation)
        }

        public mutating func next(isolation actor: isolated (any Actor)?) async -> WorkflowEvent? {
            while index == batch.count {
                guard let next = await base.next(isolation: actor) else { return nil }
                batch = next
                index = 0
            }
            defer { index += 1 }
            return batch[index]
        }
    }
}

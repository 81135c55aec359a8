import Logging
import NIOCore
import WorkflowEngine
import WorkflowJSON
import WorkflowProtocol

/// One client connection: lines in, answers and notifications out. Each request runs in a
/// child task of the connection (a bounded number at once), so a slow call never holds up a
/// quick one; a batch is answered as one array. When the client stops sending, what is in
/// progress is answered, its subscriptions end, and the connection closes. A line longer than
/// the limit is answered (-32013) and the connection closed.
struct Connection {
    let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
    let context: ConnectionContext
    let daemon: DaemonContext
    let dispatcher: Dispatcher

    func run() async {
        let logger = daemon.logger
        do {
            try await channel.executeThenClose { inbound, outbound in
                await withDiscardingTaskGroup { group in
                    group.addTask { await context.writer.run(outbound) }
                    await serve(inbound)
                    context.writer.finish()
                }
            }
        } catch {
            logger.debug("a connection ended with an error", metadata: ["error": "\(error)", "peer.uid": "\(context.peer.uid)"])
        }
    }

    private func serve(_ inbound: NIOAsyncChannelInboundStream<ByteBuffer>) async {
        let slots = RequestSlots(daemon.limits.maxRequestsPerConnection)
        await withDiscardingTaskGroup { requests in
            do {
                for try await line in inbound {
                    guard let frame = RPCFrame.decode(line.readableBytesView) else { continue }
                    await slots.acquire()
                    requests.addTask {
                        let then = await answer(frame)
                        slots.release()
                        await then?()
                    }
                }
            } catch is ByteToMessageDecoderError.PayloadTooLargeError {
                let limit = daemon.limits.maxLineBytes
                context.writer.send(RPCOutgoing.error(id: .null, .limit("maxLineBytes", limit, "a line longer than \(limit) bytes (the connection is closed)")))
            } catch {
                daemon.logger.debug("reading a connection failed", metadata: ["error": "\(error)", "peer.uid": "\(context.peer.uid)"])
            }
            // No more requests: the subscriptions end (their pumps let go), what is in progress
            // is answered (the group waits for it).
            for subscription in context.removeAll() {
                await subscription.end()
            }
        }
    }

    /// Handles a frame and queues its answer; returns what must follow the answer.
    private func answer(_ frame: RPCFrame) async -> (@Sendable () async -> Void)? {
        switch frame {
        case .unreadable(let error):
            context.writer.send(RPCOutgoing.error(id: .null, error))
            return nil
        case .single(let message):
            let (answer, then) = await dispatcher.handle(message, daemon: daemon, connection: context)
            if let answer { context.writer.send(answer) }
            return then
        case .batch(let messages):
            let limit = daemon.limits.maxBatch
            guard messages.count <= limit else {
                context.writer.send(RPCOutgoing.error(id: .null, .limit("maxBatch", limit, "a batch of \(messages.count) messages")))
                return nil
            }
            var answers: [JSON] = []
            var follow: [@Sendable () async -> Void] = []
            for message in messages {
                let (answer, then) = await dispatcher.handle(message, daemon: daemon, connection: context)
                if let answer { answers.append(answer) }
                if let then { follow.append(then) }
            }
            // A batch of notifications only is answered with nothing at all.
            if !answers.isEmpty { context.writer.send(.array(answers)) }
            if follow.isEmpty { return nil }
            let works = follow
            return {
                await withDiscardingTaskGroup { group in
                    for work in works { group.addTask { await work() } }
                }
            }
        }
    }
}

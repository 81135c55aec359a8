import DaemonTestSupport
import NIOConcurrencyHelpers
import Testing
import WorkflowClient
import WorkflowJSON
import WorkflowProtocol
import WorkflowTestSupport

/// The library's raw connection, which ``WorkflowClient`` and the tests' client are built on,
/// against the real daemon.
@Suite("WorkflowConnection")
struct WorkflowConnectionTests {
    /// What the unsolicited handler saw, in order.
    final class Seen: Sendable {
        let messages = NIOLockedValueBox<[JSON]>([])
        let unreadable = NIOLockedValueBox<[String]>([])
        let closed = NIOLockedValueBox(false)
        /// Whether the subscribe answer's hook had run when the first event came.
        let registeredBeforeFirstEvent = NIOLockedValueBox<Bool?>(nil)
        let registered = NIOLockedValueBox(false)

        func handle(_ incoming: WorkflowConnection.Unsolicited) {
            switch incoming {
            case .message(let message):
                if message["method"] == "events.event" {
                    let registered = self.registered.withLockedValue { $0 }
                    registeredBeforeFirstEvent.withLockedValue { if $0 == nil { $0 = registered } }
                }
                messages.withLockedValue { $0.append(message) }
            case .unreadable(let text): unreadable.withLockedValue { $0.append(text) }
            case .closed: closed.withLockedValue { $0 = true }
            }
        }
    }

    @Test("answers go to their calls by id while notifications go to the handler in order, after the answer's hook has run")
    func routing() async throws {
        let daemon = try await DaemonProcess.started()
        let seen = Seen()
        let connection = try await WorkflowConnection.connect(path: daemon.socket) { seen.handle($0) }
        _ = try await connection.call("instance.create", ["name": "c", "definition": "count"]).get()
        let subscribed = try await connection.call("events.subscribe", ["instance": "c"]) { _ in
            seen.registered.withLockedValue { $0 = true }
        }.get()
        #expect(subscribed["subscription"]?.stringValue != nil)
        // Calls overlap: twenty pings and a run that waits are answered to their own callers.
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                let run = try await connection.call("run.start", ["instance": "c", "input": ["n": 0, "to": 50], "wait": true]).get()
                #expect(run["status"] == "idle")
            }
            for _ in 0..<20 {
                group.addTask {
                    let pong = try await connection.call("daemon.ping", nil).get()
                    #expect(pong["pong"] == true)
                }
            }
            try await group.waitForAll()
        }
        let seqs = seen.messages.withLockedValue { $0 }.compactMap { $0["params"]?["event"]?["seq"]?.intValue }
        #expect(!seqs.isEmpty)
        #expect(seqs == Array(1...seqs.count), "events come to the handler in seq order, none twice")
        #expect(seen.registeredBeforeFirstEvent.withLockedValue { $0 } == true)
        // A request written by hand is answered to the handler; the connection's own calls are not.
        try await connection.send(RPCOutgoing.request(id: RPCID("mine"), "daemon.ping", nil))
        #expect(try await connection.call("daemon.ping", nil).get()["pong"] == true)
        let answers = seen.messages.withLockedValue { $0 }.filter { $0["method"] == nil }
        #expect(answers.map { $0["id"] } == ["mine"])
        // An error the daemon answers with is the call's failure, with its code.
        guard case .failure(let error) = try await connection.call("instance.get", ["instance": "missing"]) else {
            Issue.record("instance.get of a missing instance succeeded")
            return
        }
        #expect(error.code == .instanceNotFound)
        connection.close()
        try await eventually(.seconds(30), "the connection to close") { seen.closed.withLockedValue { $0 } }
        await #expect(throws: WorkflowClientError.self) { try await connection.call("daemon.ping", nil) }
    }

    @Test("a connection the daemon refuses says why: the null-id error goes to the handler and is the cause a later call fails with")
    func refusal() async throws {
        let daemon = try await DaemonProcess.started(arguments: ["--max-connections", "1", "--max-connections-per-uid", "10"])
        let first = try await WorkflowConnection.connect(path: daemon.socket)
        #expect(try await first.call("daemon.ping", nil).get()["pong"] == true)
        let seen = Seen()
        let refused = try await WorkflowConnection.connect(path: daemon.socket) { seen.handle($0) }
        try await eventually(.seconds(30), "the daemon to close the refused connection") { seen.closed.withLockedValue { $0 } }
        let said = seen.messages.withLockedValue { $0 }
        #expect(said.first?["error"]?["data"]?["limit"] == "maxConnections")
        do {
            _ = try await refused.call("daemon.ping", nil)
            Issue.record("a call on a refused connection was answered")
        } catch let error as WorkflowClientError {
            #expect(error.rpcCode == .limitExceeded, "the refusal is the cause: \(error)")
        }
    }

    @Test("the blocking connection: typed calls, the daemon's errors with their code, an unreachable socket named")
    func blocking() async throws {
        let daemon = try await DaemonProcess.started()
        let socket = daemon.socket
        let outcome = await RawSocket.onThread { () -> String? in
            do {
                let connection = try BlockingConnection(path: socket, timeout: .seconds(30))
                let run = try connection.call(RunMethods.Start.self, .init(instance: "e", input: ["x": 1], definition: "echo", wait: true))
                guard run.status == .idle, run.outputs == [["x": 1]] else { return "run.start answered \(run)" }
                do {
                    _ = try connection.call("instance.get", ["instance": "missing"])
                    return "instance.get of a missing instance succeeded"
                } catch let error as WorkflowClientError {
                    guard error.rpcCode == .instanceNotFound else { return "instance.get failed with \(error)" }
                }
                return nil
            } catch {
                return "\(error)"
            }
        }
        #expect(outcome == nil)
        let missing = daemon.socket + ".missing"
        let unreachable = await RawSocket.onThread { () -> WorkflowClientError? in
            do {
                _ = try BlockingConnection(path: missing)
                return nil
            } catch {
                return error as? WorkflowClientError
            }
        }
        #expect(unreachable?.code == .unreachable)
        #expect(unreachable?.message.contains(missing) == true)
    }

}

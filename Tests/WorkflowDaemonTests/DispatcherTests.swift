import DaemonTestSupport
import Testing
import WorkflowJSON
import WorkflowEngine
import WorkflowProtocol
@testable import WorkflowDaemon

/// The dispatcher called directly, in this process: envelopes, params, notifications, errors
/// and the stopping daemon, without a socket.
@Suite("Dispatcher (in process)")
struct DispatcherTests {
    @Test("an unknown method and bad params are answered with the request's id; the params error names its path")
    func errorsKeepTheID() async throws {
        let daemon = try await InProcessDaemon.make()
        let unknown = try #require(await daemon.handle(["jsonrpc": "2.0", "id": "x-1", "method": "nope.nope"]))
        #expect(unknown["id"] == "x-1")
        #expect(unknown["error"]?["code"] == .number(Double(RPCError.Code.methodNotFound.rawValue)))
        let bad = try #require(await daemon.handle(["jsonrpc": "2.0", "id": 7, "method": "run.start", "params": ["instance": 3]]))
        #expect(bad["id"] == 7)
        #expect(bad["error"]?["code"] == .number(Double(RPCError.Code.invalidParams.rawValue)))
        #expect(bad["error"]?["data"]?["path"] == "params.instance")
        await daemon.close()
    }

    @Test("a notification is not answered, but its work is done")
    func notificationsWork() async throws {
        let daemon = try await InProcessDaemon.make()
        let answer = await daemon.handle(["jsonrpc": "2.0", "method": "instance.create", "params": ["name": "n", "definition": "echo"]])
        #expect(answer == nil)
        #expect(try await daemon.instances.details(.init(instance: "n"), by: InProcessDaemon.owner).name == "n")
        await daemon.close()
    }

    @Test("every method the OpenRPC document lists is served, and nothing else")
    func servedMethods() async throws {
        let daemon = try await InProcessDaemon.make()
        #expect(daemon.dispatcher.methods == RPCCatalogue.methods.map { $0.name }.sorted())
        await daemon.close()
    }

    @Test("a stopping daemon answers ping and status, and refuses the rest with -32012")
    func stopping() async throws {
        let daemon = try await InProcessDaemon.make()
        #expect(daemon.context.lifecycle.transition { $0.stopBegins() } == .drain)
        let ping = try #require(await daemon.handle(["jsonrpc": "2.0", "id": 1, "method": "daemon.ping"]))
        #expect(ping["result"]?["pong"] == true)
        let status = try #require(await daemon.handle(["jsonrpc": "2.0", "id": 2, "method": "daemon.status"]))
        #expect(status["result"] != nil)
        let refused = try #require(await daemon.handle(["jsonrpc": "2.0", "id": 3, "method": "instance.list"]))
        #expect(refused["error"]?["code"] == .number(Double(RPCError.Code.shuttingDown.rawValue)))
        await daemon.close()
    }

    @Test("the engine's errors keep their meaning on the wire: a store failure is -32014 and a broken instance -32015, never an internal error")
    func engineErrorCodes() {
        #expect(WorkflowError(.storeFailed, "disk full").rpcError.code == .storeFailed)
        #expect(WorkflowError(.instanceBroken, "cannot restore").rpcError.code == .instanceBroken)
        #expect(WorkflowError(.invalidCheckpoint, "bad").rpcError.code == .checkpointIncompatible)
        // Every mapped code is one the protocol's table knows, with a category other than internal.
        for (engine, wire) in WorkflowError.protocolCodes {
            #expect(RPCError.Code.table.contains { $0.code == wire }, "\(engine)")
            #expect(wire.category != .internalFailure, "\(engine)")
        }
    }

    @Test("a value outside a closed set is refused with -32602 naming the param and the set")
    func closedSetParams() async throws {
        let daemon = try await InProcessDaemon.make()
        let answer = try #require(await daemon.handle(["jsonrpc": "2.0", "id": 1, "method": "instance.create",
                                                        "params": ["name": "x", "definition": "echo", "onBusy": "maybe"]]))
        #expect(answer["error"]?["code"] == .number(Double(RPCError.Code.invalidParams.rawValue)))
        let message = answer["error"]?["message"]?.stringValue ?? ""
        #expect(message.contains("onBusy") && message.contains("must be one of reject, queue, not 'maybe'"), "\(message)")
        await daemon.close()
    }
}

import DaemonTestSupport
import Foundation
import Testing
import WorkflowJSON
import WorkflowProtocol
import WorkflowStore
import WorkflowTestSupport
@testable import WorkflowDaemon

/// The JSON-RPC code an error would reach a client with.
func rpcCode(_ error: any Error) -> RPCError.Code? { (error as? any RPCErrorConvertible)?.rpcError.code }

/// The instance service called directly, in this process: no socket, no daemon process.
@Suite("Instance service (in process)")
struct InstanceServiceTests {
    @Test("create, details, a run that asks a person, the answer, the run history; another user finds no such instance")
    func lifeOfAnInstance() async throws {
        let daemon = try await InProcessDaemon.make()
        let service = daemon.instances
        let owner = InProcessDaemon.owner
        let created = try await service.create(.init(name: "a", definition: "ask"), by: owner)
        #expect(created.status == .idle)
        #expect(created.owner == owner.uid)
        await #expect { try await service.details(.init(instance: "a"), by: InProcessDaemon.stranger) } throws: { rpcCode($0) == .instanceNotFound }
        #expect(try await service.details(.init(instance: "a"), by: InProcessDaemon.root).name == "a")

        let first = try await service.startRun(.init(instance: "a", input: 1, wait: true), by: owner)
        #expect(first.status == .idleWithPendingRequests)
        #expect(first.disposition == .started)
        let open = try await service.requests(.init(), by: owner).requests
        #expect(open.count == 1)
        #expect(try await service.requests(.init(), by: InProcessDaemon.stranger).requests.isEmpty)
        let answer = try await service.respond(.init(instance: "a", requestId: try #require(open.first).id, response: ["ok": true]), by: owner)
        #expect(answer.startedRun)
        let second = try await service.waitForRun(.init(instance: "a", runId: answer.runId), by: owner)
        #expect(second.status == .idle)
        #expect(second.trigger == .response)
        let history = try await service.runs(.init(instance: "a"), by: owner).runs
        #expect(history.map(\.runId) == [answer.runId, first.runId])
        let details = try await service.details(.init(instance: "a"), by: owner)
        #expect(details.openRequests == [])
        #expect(details.activeRunId == nil)
        await daemon.close()
    }

    @Test("run.start with a definition creates the instance once when eight callers race for it; none is told it exists")
    func createIfMissingRace() async throws {
        let daemon = try await InProcessDaemon.make()
        let service = daemon.instances
        let outcomes = await withTaskGroup(of: RPCError.Code?.self) { group in
            for n in 0..<8 {
                group.addTask {
                    do {
                        _ = try await service.startRun(.init(instance: "r", input: .number(Double(n)), definition: "echo", wait: true),
                                                       by: InProcessDaemon.owner)
                        return nil
                    } catch {
                        return rpcCode(error) ?? .internalError
                    }
                }
            }
            var codes: [RPCError.Code?] = []
            for await code in group { codes.append(code) }
            return codes
        }
        // A run may find another one active (onBusy reject); nothing else may fail.
        #expect(outcomes.allSatisfy { $0 == nil || $0 == .instanceBusy }, "\(outcomes)")
        #expect(outcomes.contains { $0 == nil })
        let listed = try await service.list(.init(), by: InProcessDaemon.owner).instances
        #expect(listed.map(\.name) == ["r"])
        await daemon.close()
    }

    @Test("delete refuses an instance with an active run, naming it, unless told to cancel it; then the instance is gone")
    func deleteWhileRunning() async throws {
        let daemon = try await InProcessDaemon.make()
        let service = daemon.instances
        let gate = daemon.directory + "/gate-never"
        let run = try await service.startRun(.init(instance: "g", input: .string(gate), definition: "gated"), by: InProcessDaemon.owner)
        #expect(run.status == .inProgress)
        await #expect { try await service.delete(.init(instance: "g"), by: InProcessDaemon.owner) } throws: { error in
            rpcCode(error) == .instanceBusy && (error as? DaemonError)?.rpcError.data?["activeRunId"] == .string(run.runId)
        }
        #expect(try await service.delete(.init(instance: "g", cancel: true), by: InProcessDaemon.owner).deleted)
        await #expect { try await service.details(.init(instance: "g"), by: InProcessDaemon.owner) } throws: { rpcCode($0) == .instanceNotFound }
        #expect(try await daemon.context.store.instance(named: "g") == nil)
        await daemon.close()
    }

    @Test("fork: the new instance belongs to the caller and names its origin; a bad name or a taken one leaves no record behind")
    func fork() async throws {
        let daemon = try await InProcessDaemon.make()
        let service = daemon.instances
        _ = try await service.startRun(.init(instance: "e", input: "hello", definition: "echo", wait: true), by: InProcessDaemon.owner)
        let head = try #require(try await service.details(.init(instance: "e"), by: InProcessDaemon.owner).head)
        let forked = try await service.fork(.init(instance: "e", checkpointId: head, name: "e2"), by: InProcessDaemon.root)
        #expect(forked.instance.owner == InProcessDaemon.root.uid)
        #expect(forked.instance.forkedFrom == .init(instance: "e", checkpointId: head))
        await #expect { try await service.fork(.init(instance: "e", checkpointId: head, name: "e2"), by: InProcessDaemon.owner) } throws: {
            rpcCode($0) == .instanceExists
        }
        await #expect { try await service.fork(.init(instance: "e", checkpointId: head, name: "-bad"), by: InProcessDaemon.owner) } throws: {
            rpcCode($0) == .invalidParams
        }
        await #expect { try await service.fork(.init(instance: "e", checkpointId: "nope", name: "e3"), by: InProcessDaemon.owner) } throws: {
            rpcCode($0) == .checkpointNotFound
        }
        let names = try await service.list(.init(), by: InProcessDaemon.root).instances.map(\.name)
        #expect(names == ["e", "e2"])
        await daemon.close()
    }

    @Test("a definition changed on disk shows as an upgrade; reset with upgrade moves the instance to it, and only then")
    func resetWithUpgrade() async throws {
        let daemon = try await InProcessDaemon.make()
        let service = daemon.instances
        let before = try await service.create(.init(name: "u", definition: "echo"), by: InProcessDaemon.owner)
        try (TestDefinitions.echo + "\nmaxSupersteps: 7\n").write(toFile: daemon.directory + "/definitions/echo.yaml", atomically: true, encoding: .utf8)
        _ = await daemon.context.catalog.reload()
        let seen = try await service.details(.init(instance: "u"), by: InProcessDaemon.owner)
        #expect(seen.upgradeAvailable == true)
        #expect(seen.definitionHash == before.definitionHash)
        let plain = try await service.reset(.init(instance: "u"), by: InProcessDaemon.owner)
        #expect(plain.definitionHash == before.definitionHash, "a reset without upgrade keeps the version")
        let upgraded = try await service.reset(.init(instance: "u", upgrade: true), by: InProcessDaemon.owner)
        #expect(upgraded.definitionHash != before.definitionHash)
        #expect(upgraded.upgradeAvailable == false)
        #expect(try await service.startRun(.init(instance: "u", input: 3, wait: true), by: InProcessDaemon.owner).outputs == [3])
        await daemon.close()
    }

    @Test("checkpoints: a label names one checkpoint; the head cannot be deleted; another user sees none of them")
    func checkpoints() async throws {
        let daemon = try await InProcessDaemon.make()
        let service = daemon.instances
        let owner = InProcessDaemon.owner
        _ = try await service.startRun(.init(instance: "c", input: 1, definition: "echo", wait: true), by: owner)
        let made = try await service.createCheckpoint(.init(instance: "c", label: "before"), by: owner)
        #expect(made.label == "before")
        #expect(made.head)
        await #expect { try await service.createCheckpoint(.init(instance: "c", label: "before"), by: owner) } throws: { rpcCode($0) == .invalidParams }
        #expect(try await service.checkpoint(.init(instance: "c", checkpointId: "before"), by: owner).info.id == made.id)
        await #expect { try await service.deleteCheckpoint(.init(instance: "c", checkpointId: "before"), by: owner) } throws: {
            rpcCode($0) == .invalidParams
        }
        await #expect { try await service.checkpoints(.init(instance: "c"), by: InProcessDaemon.stranger) } throws: { rpcCode($0) == .instanceNotFound }
        let list = try await service.checkpoints(.init(instance: "c"), by: owner).checkpoints
        #expect(list.filter { $0.head == true }.map(\.id) == [made.id])
        await daemon.close()
    }
}

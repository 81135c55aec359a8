import DaemonTestSupport
import Foundation
import Testing
import WorkflowJSON
import WorkflowProtocol

/// Definitions changed on disk and reloaded (daemon.reload and SIGHUP): instances keep their
/// pinned version until reset with upgrade; a definition that no longer loads is reported and
/// the instances on it keep working.
@Suite("Daemon: definition reload")
struct ReloadTests {
    @Test("a changed definition: pinned until reset with upgrade; a broken one is reported and its instances keep working")
    func reload() async throws {
        let daemon = try await DaemonProcess.started()
        let client = try await daemon.client()
        let before = try await client.result("run.start", ["instance": "e", "definition": "echo", "input": 1, "wait": true])
        #expect(before["outputs"] == [1])
        let oldHash = try #require(try await client.result("instance.get", ["instance": "e"])["definitionHash"])

        // echo now doubles its output through a transform.
        try daemon.writeDefinition("echo.yaml", """
            name: echo
            start: twice
            executors:
              twice: { kind: transform, expression: "[message, message]" }
              out: { kind: output }
            edges:
              - { from: twice, to: out }
            """)
        let reloaded = try await client.result("daemon.reload")
        #expect(reloaded["errors"] == [])
        var info = try await client.result("instance.get", ["instance": "e"])
        #expect(info["definitionHash"] == oldHash, "the instance keeps its pinned version")
        #expect(info["upgradeAvailable"] == true)
        #expect(try await client.result("run.start", ["instance": "e", "input": 2, "wait": true])["outputs"] == [2])
        info = try await client.result("instance.reset", ["instance": "e", "upgrade": true])
        #expect(info["definitionHash"] != oldHash)
        #expect(try await client.result("run.start", ["instance": "e", "input": 3, "wait": true])["outputs"] == [[3, 3]])

        // A definition that no longer loads (SIGHUP this time): reported; its instance still runs.
        _ = try await client.result("instance.create", ["name": "a", "definition": "ask"])
        try daemon.writeDefinition("ask.yaml", "name: ask\nstart: nowhere\nexecutors: {}\n")
        kill(daemon.pid, SIGHUP)
        // The daemon logs the reload once it is done.
        try await daemon.waitForLog("definitions reloaded (SIGHUP)")
        let problems = try await client.result("daemon.status")["definitionErrors"]?.arrayValue ?? []
        #expect(problems.first?["file"]?.stringValue?.hasSuffix("ask.yaml") == true)
        #expect(try await client.error("instance.create", ["name": "a2", "definition": "ask"]).code == .definitionNotFound)
        let run = try await client.result("run.start", ["instance": "a", "input": 1, "wait": true])
        #expect(run["status"] == "idle_with_pending_requests")
        // And after a restart, the instance still runs on the version it pinned.
        #expect(await daemon.stop() == 0)
        try await daemon.start()
        let again = try await daemon.client()
        let requests = try await again.result("request.list", ["instance": "a"])
        #expect(requests["requests"]?.arrayValue?.count == 1)
    }
}

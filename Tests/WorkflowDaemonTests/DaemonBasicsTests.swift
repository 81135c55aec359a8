import DaemonTestSupport
import Foundation
import Testing
import WorkflowJSON
import WorkflowProtocol

/// The daemon's own methods and definitions, through the real binary on a real socket.
@Suite("Daemon: ping, status, definitions")
struct DaemonBasicsTests {
    @Test("daemon.ping and daemon.status answer with the daemon's facts")
    func pingAndStatus() async throws {
        let daemon = try await DaemonProcess.started()
        let client = try await daemon.client()
        let pong = try await client.result("daemon.ping")
        #expect(pong["pong"] == true)
        #expect(pong["version"]?.stringValue == RPCCatalogue.version)
        let status = try await client.result("daemon.status")
        #expect(status["pid"]?.intValue == Int(daemon.pid))
        #expect(status["socket"]?.stringValue == daemon.socket)
        #expect(status["definitions"]?.intValue == TestDefinitions.all.count)
        #expect(status["connections"]?.intValue == 1)
        #expect(status["definitionErrors"] == [])
        #expect(await daemon.stop() == 0)
    }

    @Test("a memory bound below 1 is refused at start, naming the option", arguments: ["--max-open-requests", "--max-buffered-events", "--max-buffered-events-total"])
    func boundsAtLeastOne(option: String) async throws {
        let outcome = try await Wfctl.spawn(try DaemonProcess.binary(), [option, "0", "--state-dir", "/nonexistent/never-created"])
        #expect(outcome.status != 0)
        #expect(outcome.stderr.contains("\(option) must be at least 1 (got 0)"), "\(outcome.stderr)")
    }

    @Test("definition.list, get and validate; validate runs nothing and names the problem")
    func definitions() async throws {
        let daemon = try await DaemonProcess.started()
        let client = try await daemon.client()
        let list = try await client.result("definition.list")
        let names = list["definitions"]?.arrayValue?.compactMap { $0["name"]?.stringValue }.sorted()
        #expect(names == ["ask", "branch", "count", "countgated", "echo", "flaky", "forever", "gated", "impatient", "later", "pingpong", "remind", "signalled", "stubborn"])
        let ask = try await client.result("definition.get", ["name": "ask"])
        #expect(ask["name"] == "ask")
        #expect(ask["document"]?["executors"]?["ask"]?["prompt"] == "Go on?")
        #expect(ask["executors"]?.arrayValue?.count == 2)
        let missing = try await client.error("definition.get", ["name": "nope"])
        #expect(missing.code == .definitionNotFound)
        #expect(missing.data?["definition"] == "nope")

        // A valid text, with a program that would leave a trace if it ran.
        let marker = daemon.directory + "/ran"
        let valid = try await client.result("definition.validate", ["text": .string("""
            name: trap
            start: touch
            executors:
              touch: { kind: exec, command: [/bin/sh, -c, "touch \(marker)"] }
            """)])
        #expect(valid["valid"] == true)
        #expect(valid["name"] == "trap")
        #expect(!FileManager.default.fileExists(atPath: marker))
        let invalid = try await client.result("definition.validate", ["text": "name: bad\nstart: nowhere\nexecutors:\n  a: { kind: output }\n"])
        #expect(invalid["valid"] == false)
        let problem = invalid["errors"]?[0]?["message"]?.stringValue ?? ""
        #expect(problem.contains("nowhere"), "the error names the problem: \(problem)")
        // Nothing the client validated became runnable.
        let start = try await client.error("run.start", ["instance": "t", "definition": "trap"])
        #expect(start.code == .definitionNotFound)
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test("a one-executor run with wait: the result comes back")
    func echoRun() async throws {
        let daemon = try await DaemonProcess.started()
        let client = try await daemon.client()
        let run = try await client.result("run.start", ["instance": "e1", "definition": "echo", "input": ["hello": 1], "wait": true])
        #expect(run["status"] == "idle")
        #expect(run["outputs"] == [["hello": 1]])
        #expect(run["disposition"] == "started")
        let info = try await client.result("instance.get", ["instance": "e1"])
        #expect(info["definition"] == "echo")
        #expect(info["status"] == "idle")
        #expect(info["owner"]?.intValue == Int(getuid()))
    }
}

import DaemonTestSupport
import Foundation
import Testing
import WorkflowTestSupport
import WorkflowJSON
import WorkflowProtocol

/// Ownership between two real uids (the second client runs as `nobody` through setpriv), and
/// every limit, each answered with -32013 naming it.
@Suite("Daemon: access and limits")
struct AccessLimitsTests {
    /// Sends lines as another user (a real process under setpriv) and returns the answers.
    static func asNobody(_ socket: String, _ lines: [JSON]) async throws -> [JSON] {
        let script = """
            import socket, sys
            s = socket.socket(socket.AF_UNIX)
            s.settimeout(30)
            s.connect(sys.argv[1])
            f = s.makefile("rb")
            for line in sys.argv[2:]:
                s.sendall(line.encode() + b"\\n")
                sys.stdout.write(f.readline().decode())
            """
        let outcome = try await ChildProcess.run("/usr/bin/setpriv",
                                                 ["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c", script, socket]
                                                     + lines.map { $0.serialized() })
        return outcome.stdout.split(separator: "\n").compactMap { try? JSONParser.parse(String($0)) }
    }

    static func request(_ id: Int, _ method: String, _ params: JSON) -> JSON {
        ["jsonrpc": "2.0", "id": .number(Double(id)), "method": .string(method), "params": params]
    }

    @Test("an instance belongs to the uid that made it: to others it does not exist (-32001, not listed); root sees all", .enabled(if: getuid() == 0))
    func ownership() async throws {
        let daemon = try await DaemonProcess.started()
        // Let `nobody` reach the socket (the test's temporary directory is root's).
        chmod(daemon.directory, 0o755)
        let root = try await daemon.client()
        _ = try await root.result("instance.create", ["name": "mine", "definition": "echo"])
        let answers = try await Self.asNobody(daemon.socket, [
            Self.request(1, "instance.get", ["instance": "mine"]),
            Self.request(2, "run.start", ["instance": "mine", "input": 1]),
            Self.request(3, "instance.create", ["name": "theirs", "definition": "echo"]),
            Self.request(4, "instance.list", [:]),
            Self.request(5, "instance.delete", ["instance": "mine"]),
        ])
        #expect(answers.count == 5)
        // The very answer a name nobody created gets: nothing tells that "mine" exists.
        #expect(answers.first?["error"]?["code"] == -32001)
        #expect(answers.first?["error"]?["message"] == "no instance 'mine'")
        #expect(answers.dropFirst().first?["error"]?["code"] == -32001)
        #expect(answers.dropFirst(2).first?["result"]?["owner"] == 65534)
        #expect(answers.dropFirst(3).first?["result"]?["instances"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["theirs"])
        #expect(answers.dropFirst(4).first?["error"]?["code"] == -32001)
        let all = try await root.result("instance.list")
        #expect(all["instances"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["mine", "theirs"])
        #expect(try await root.result("instance.get", ["instance": "theirs"])["owner"] == 65534)
    }

    @Test("a line longer than maxLineBytes is answered with -32013 and the connection closed; others go on")
    func lineLimit() async throws {
        let daemon = try await DaemonProcess.started(arguments: ["--max-line-bytes", "4096"])
        let client = try await daemon.client()
        let bystander = try await daemon.client()
        try await client.send(raw: #"{"jsonrpc":"2.0","id":1,"method":"daemon.ping","params":{"x":""# + String(repeating: "a", count: 10_000) + #""}}"#)
        let answer = try #require(try await client.next())
        #expect(answer["error"]?["code"] == -32013)
        #expect(answer["error"]?["data"]?["limit"] == "maxLineBytes")
        #expect(try await client.next() == nil, "the connection is closed")
        #expect(try await bystander.result("daemon.ping")["pong"] == true)
    }

    @Test("batch size, connections in all and per uid, subscriptions per connection: each answered with -32013 naming it")
    func otherLimits() async throws {
        let daemon = try await DaemonProcess.started(arguments: ["--max-batch", "3", "--max-connections", "3", "--max-connections-per-uid", "2",
                                                                 "--max-subscriptions-per-connection", "2"])
        let client = try await daemon.client()
        let ping = #"{"jsonrpc":"2.0","id":1,"method":"daemon.ping"}"#
        try await client.send(raw: "[\(ping),\(ping),\(ping),\(ping)]")
        let batch = try #require(try await client.next())
        #expect(batch["error"]?["data"]?["limit"] == "maxBatch")
        try await client.send(raw: "[\(ping),\(ping),\(ping)]")
        #expect(try await client.next()?.arrayValue?.count == 3)

        _ = try await client.result("instance.create", ["name": "e", "definition": "echo"])
        _ = try await client.result("events.subscribe", ["instance": "e"])
        _ = try await client.result("events.subscribe", ["instance": "e"])
        let third = try await client.error("events.subscribe", ["instance": "e"])
        #expect(third.code == .limitExceeded)
        #expect(third.data?["limit"] == "maxSubscriptionsPerConnection")

        let second = try await daemon.client()
        #expect(try await second.result("daemon.ping")["pong"] == true)
        let refused = try await daemon.client()
        let answer = try #require(try await refused.next())
        #expect(answer["error"]?["code"] == -32013)
        #expect(answer["error"]?["data"]?["limit"] == "maxConnectionsPerUID")
        #expect(try await refused.next() == nil)
        await second.close()
        // A place is free again once the daemon has closed that connection (awaited in its log).
        try await daemon.waitForLog("a connection closed")
        let again = try await daemon.client()
        #expect(try await again.result("daemon.ping")["pong"] == true)
    }

    @Test("connections beyond maxConnections are answered with -32013 naming it and closed")
    func totalConnections() async throws {
        let daemon = try await DaemonProcess.started(arguments: ["--max-connections", "2", "--max-connections-per-uid", "10"])
        let first = try await daemon.client()
        let second = try await daemon.client()
        #expect(try await first.result("daemon.ping")["pong"] == true)
        #expect(try await second.result("daemon.ping")["pong"] == true)
        let refused = try await daemon.client()
        let answer = try #require(try await refused.next())
        #expect(answer["error"]?["data"]?["limit"] == "maxConnections")
        #expect(try await refused.next() == nil)
        #expect(try await first.result("daemon.status")["connections"] == 2)
    }

    @Test("instances beyond maxLoadedInstances are evicted from memory and come back when touched")
    func eviction() async throws {
        let daemon = try await DaemonProcess.started(arguments: ["--max-loaded-instances", "2"])
        let client = try await daemon.client()
        for n in 0..<6 { _ = try await client.result("run.start", ["instance": .string("i\(n)"), "definition": "echo", "input": .number(Double(n)), "wait": true]) }
        let status = try await client.result("daemon.status")
        #expect(status["instancesStored"] == 6)
        #expect((status["instancesLoaded"]?.intValue ?? 99) <= 2)
        let run = try await client.result("run.list", ["instance": "i0"])
        #expect(run["runs"]?[0]?["outputs"] == [0])
        #expect(try await client.result("run.start", ["instance": "i0", "input": 7, "wait": true])["outputs"] == [7])
    }
}

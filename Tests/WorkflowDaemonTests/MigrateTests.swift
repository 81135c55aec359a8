import DaemonTestSupport
import Foundation
import Testing
import WorkflowJSON
import WorkflowTestSupport

/// `workflowd migrate`: a state directory's SQLite database into PostgreSQL, the daemon started
/// on it carries on; refused while a daemon uses the database.
@Suite("Daemon: its database held; migrate SQLite ⇄ PostgreSQL", .enabled(if: !DaemonProcess.storesInPostgres))
struct MigrateTests {
    @Test("a second daemon on the same state directory exits at once, naming the daemon that holds it; the first goes on")
    func oneDaemonPerStateDirectory() async throws {
        let daemon = try await DaemonProcess.started()
        let second = try await ChildProcess.run(try DaemonProcess.binary(), ["--socket", daemon.directory + "/second.sock", "--state-dir", daemon.state,
                                                                             "--definitions", daemon.definitions])
        #expect(second.status != 0 && second.stderr.contains("another workflowd uses the database"), "\(second)")
        let client = try await daemon.client()
        #expect(try await client.result("daemon.ping")["pong"] == true)
        _ = try await client.result("run.start", ["instance": "still", "definition": "ask", "input": 1, "wait": true])
        #expect(await daemon.stop() == 0)
    }

    @Test("a password file that is missing, a directory or too large stops the daemon with an error naming the file and why")
    func badPasswordFiles() async throws {
        let directory = FileManager.default.temporaryDirectory.path + "/wfd-pw-" + String(UInt64.random(in: 0..<UInt64.max), radix: 36)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let large = directory + "/large"
        try String(repeating: "x", count: 70_000).write(toFile: large, atomically: true, encoding: .utf8)
        let cases = [(directory + "/missing", "No such file or directory"), (directory, "Is a directory"), (large, "it is larger than 64 KiB")]
        for (file, why) in cases {
            let run = try await ChildProcess.run(try DaemonProcess.binary(), ["--socket", directory + "/s.sock", "--state-dir", directory + "/state",
                                                                              "--database", "postgresql:///none?host=/nonexistent",
                                                                              "--database-password-file", file])
            #expect(run.status != 0 && run.stderr.contains("cannot read the database password from \(file): \(why)"), "\(run)")
        }
    }

    @Test("refused while the daemon runs; after it stops, copied; the daemon on PostgreSQL answers the request left open and goes on; and back", .timeLimit(.minutes(2)))
    func migrateAndCarryOn() async throws {
        let server = try await PostgresServer.shared()
        let url = server.url(database: try await server.makeDatabase())
        let daemon = try await DaemonProcess.started()
        var client = try await daemon.client()
        let asked = try await client.result("run.start", ["instance": "m", "definition": "ask", "input": 1, "wait": true])
        #expect(asked["status"] == "idle_with_pending_requests")
        let migrate = try DaemonProcess.binary()
        let refused = try await ChildProcess.run(migrate, ["migrate", "--state-dir", daemon.state, "--database", url])
        #expect(refused.status != 0 && refused.stderr.contains("another workflowd uses the database"), "\(refused)")
        #expect(await daemon.stop() == 0)

        let copied = try await ChildProcess.run(migrate, ["migrate", "--state-dir", daemon.state, "--database", url])
        #expect(copied.status == 0, "\(copied)")
        #expect(copied.stdout.contains("instance: 1 rows") && copied.stdout.contains("event: "), "\(copied.stdout)")

        try await daemon.start(extra: ["--database", url])
        client = try await daemon.client()
        let open = try #require(try await client.result("request.list", ["instance": "m"])["requests"]?[0]?["id"]?.stringValue)
        let accepted = try await client.result("request.respond", ["instance": "m", "requestId": .string(open), "response": ["ok": true]])
        let finished = try await client.result("run.wait", ["instance": "m", "runId": accepted["runId"] ?? .null])
        #expect(finished["status"] == "idle", "\(finished)")
        #expect(await daemon.stop() == 0)

        // And back, into a state directory without a database.
        let elsewhere = daemon.directory + "/back"
        let back = try await ChildProcess.run(migrate, ["migrate", "--state-dir", elsewhere, "--database", url, "--to", "sqlite"])
        #expect(back.status == 0, "\(back)")
        #expect(FileManager.default.fileExists(atPath: elsewhere + "/workflowd.sqlite"))
        let again = try await ChildProcess.run(migrate, ["migrate", "--state-dir", elsewhere, "--database", url, "--to", "sqlite"])
        #expect(again.status != 0 && again.stderr.contains("exists"), "\(again)")
    }
}

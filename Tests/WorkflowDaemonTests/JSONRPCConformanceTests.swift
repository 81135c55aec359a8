import DaemonTestSupport
import Testing
import WorkflowJSON
import WorkflowProtocol

/// The JSON-RPC 2.0 specification's own examples (section 7), sent as they are to the real
/// daemon, plus the envelope rules workflowd adds (bad params keep the id; a readable id is echoed).
@Suite("JSON-RPC 2.0 conformance over the socket")
struct JSONRPCConformanceTests {
    @Test("the specification's examples: parse errors, invalid requests, batches, notifications")
    func specificationExamples() async throws {
        let daemon = try await DaemonProcess.started()
        let client = try await daemon.client()

        // rpc call with invalid JSON
        try await client.send(raw: #"{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]"#)
        var answer = try #require(try await client.next())
        #expect(answer["error"]?["code"] == -32700)
        #expect(answer["id"] == .null)

        // rpc call with invalid Request object
        try await client.send(raw: #"{"jsonrpc": "2.0", "method": 1, "params": "bar"}"#)
        answer = try #require(try await client.next())
        #expect(answer["error"]?["code"] == -32600)
        #expect(answer["id"] == .null)

        // rpc call Batch, invalid JSON
        try await client.send(raw: #"[{"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},{"jsonrpc": "2.0", "method""#)
        answer = try #require(try await client.next())
        #expect(answer["error"]?["code"] == -32700)
        #expect(answer["id"] == .null)

        // rpc call with an empty Array
        try await client.send(raw: "[]")
        answer = try #require(try await client.next())
        #expect(answer["error"]?["code"] == -32600)
        #expect(answer["id"] == .null)

        // rpc call with an invalid Batch (but not empty)
        try await client.send(raw: "[1]")
        answer = try #require(try await client.next())
        #expect(answer.arrayValue?.count == 1)
        #expect(answer[0]?["error"]?["code"] == -32600)

        // rpc call with invalid Batch
        try await client.send(raw: "[1,2,3]")
        answer = try #require(try await client.next())
        #expect(answer.arrayValue?.map { $0["error"]?["code"] } == [-32600, -32600, -32600])

        // rpc call Batch: requests, a notification, an unknown method, an invalid object
        try await client.send(raw: """
            [{"jsonrpc": "2.0", "method": "daemon.ping", "id": "1"}, {"jsonrpc": "2.0", "method": "daemon.ping"}, \
            {"foo": "boo"}, {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"}, \
            {"jsonrpc": "2.0", "method": "daemon.status", "id": "9"}]
            """)
        answer = try #require(try await client.next())
        let answers = try #require(answer.arrayValue)
        #expect(answers.count == 4, "the notification is not answered")
        let byID = Dictionary(answers.map { ($0["id"]?.serialized() ?? "?", $0) }, uniquingKeysWith: { first, _ in first })
        #expect(byID[#""1""#]?["result"]?["pong"] == true)
        #expect(byID[#""5""#]?["error"]?["code"] == -32601)
        #expect(byID[#""9""#]?["result"]?["pid"] != nil)
        #expect(byID["null"]?["error"]?["code"] == -32600)

        // rpc call Batch (all notifications): nothing at all comes back
        try await client.send(raw: #"[{"jsonrpc": "2.0", "method": "daemon.ping"}, {"jsonrpc": "2.0", "method": "daemon.status"}]"#)
        // a notification alone: not answered either, even for an unknown method
        try await client.send(raw: #"{"jsonrpc": "2.0", "method": "no.such.method"}"#)
        let pong = try await client.result("daemon.ping")
        #expect(pong["pong"] == true)
        #expect(client.mailbox.waiting == 0, "notifications were answered")
    }

    @Test("bad params keep the request's id and name the path; an invalid request echoes a readable id")
    func envelope() async throws {
        let daemon = try await DaemonProcess.started()
        let client = try await daemon.client()
        try await client.send(raw: #"{"jsonrpc":"2.0","id":7,"method":"instance.get","params":{"instance":5}}"#)
        var answer = try #require(try await client.next())
        #expect(answer["id"] == 7)
        #expect(answer["error"]?["code"] == -32602)
        #expect(answer["error"]?["data"]?["path"] == "params.instance")

        try await client.send(raw: #"{"jsonrpc":"2.0","id":8,"method":"instance.get","params":{"instance":"x","extra":1}}"#)
        answer = try #require(try await client.next())
        #expect(answer["id"] == 8)
        #expect(answer["error"]?["data"]?["path"] == "params.extra")

        try await client.send(raw: #"{"jsonrpc":"2.0","id":9,"method":"instance.get","params":["x"]}"#)
        answer = try #require(try await client.next())
        #expect(answer["id"] == 9)
        #expect(answer["error"]?["code"] == -32602)

        try await client.send(raw: #"{"jsonrpc":"2.0","id":10,"method":"instance.get"}"#)
        answer = try #require(try await client.next())
        #expect(answer["error"]?["code"] == -32602)
        #expect(answer["error"]?["message"]?.stringValue?.contains("instance") == true)

        try await client.send(raw: #"{"jsonrpc":"1.0","id":"x","method":"daemon.ping"}"#)
        answer = try #require(try await client.next())
        #expect(answer["id"] == "x")
        #expect(answer["error"]?["code"] == -32600)

        try await client.send(raw: #"{"jsonrpc":"2.0","id":{"no":1},"method":"daemon.ping"}"#)
        answer = try #require(try await client.next())
        #expect(answer["id"] == .null)
        #expect(answer["error"]?["code"] == -32600)

        // Garbage bytes and an empty line do not end the connection.
        try await client.send(raw: "\u{01}\u{02}not json at all")
        answer = try #require(try await client.next())
        #expect(answer["error"]?["code"] == -32700)
        #expect(try await client.result("daemon.ping")["pong"] == true)
    }
}

#if canImport(Glibc)
import Glibc
#endif
import Testing
import WorkflowJSON
@testable import WorkflowMCP

/// The MCP server's protocol side without a daemon: version negotiation, notifications,
/// malformed messages, unknown methods, long lines. (The tools themselves are driven by the
/// official Python client against a real daemon: Tests/MCPClientTests.)
@Suite("MCP: the stdio protocol")
struct MCPServerTests {
    static let server = MCPServer(socketPath: "/nonexistent/workflowd.sock", version: "9.9.9")
    static var tools: MCPTools { MCPTools(daemon: DaemonLink(socketPath: "/nonexistent/workflowd.sock")) }

    static func answer(_ text: String) -> JSON? {
        server.handle(Array(text.utf8), tools: tools)
    }

    @Test("initialize: a version this server speaks is given back; another gets the newest; capabilities and serverInfo")
    func initialize() {
        let known = Self.answer(#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#)
        #expect(known?["id"] == 1 && known?["result"]?["protocolVersion"] == "2025-06-18")
        #expect(known?["result"]?["serverInfo"] == ["name": "workflowd", "title": "workflowd", "version": "9.9.9"])
        #expect(known?["result"]?["capabilities"]?["tools"] == ["listChanged": false])
        let future = Self.answer(#"{"jsonrpc":"2.0","id":"a","method":"initialize","params":{"protocolVersion":"2099-01-01"}}"#)
        #expect(future?["id"] == "a" && future?["result"]?["protocolVersion"] == "2025-11-25")
    }

    @Test("notifications get no answer; ping gets an empty result; an unknown method -32601; not JSON -32700; a batch or a non-object -32600")
    func protocolErrors() {
        #expect(Self.answer(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#) == nil)
        #expect(Self.answer(#"{"jsonrpc":"2.0","id":2,"method":"ping"}"#)?["result"] == [:])
        #expect(Self.answer(#"{"jsonrpc":"2.0","id":3,"method":"prompts/list"}"#)?["error"]?["code"] == -32601)
        #expect(Self.answer("{not json")?["error"]?["code"] == -32700)
        #expect(Self.answer(#"[{"jsonrpc":"2.0","id":4,"method":"ping"}]"#)?["error"]?["code"] == -32600)
        #expect(Self.answer(#"{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{}}"#)?["error"]?["code"] == -32602)
    }

    @Test("tools/list without a daemon still lists the fixed tools; a tool call says the daemon is unreachable as a tool error")
    func withoutDaemon() {
        let listed = Self.answer(#"{"jsonrpc":"2.0","id":6,"method":"tools/list"}"#)?["result"]?["tools"]?.arrayValue ?? []
        #expect(listed.compactMap { $0["name"]?.stringValue } == ["list_definitions", "list_instances", "get_instance", "start_run", "get_run",
                                                                   "read_events", "list_requests", "answer_request"])
        #expect(listed.allSatisfy { $0["inputSchema"]?["type"] == "object" })
        let call = Self.answer(#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"list_instances","arguments":{}}}"#)?["result"]
        #expect(call?["isError"] == true)
        #expect(call?["content"]?[0]?["text"]?.stringValue?.contains("/nonexistent/workflowd.sock") == true, "\(String(describing: call))")
    }

    @Test("a request's schema becomes its tool's input schema: an object schema as it is, any other under 'response'")
    func answerToolSchema() {
        #expect(MCPTools.inputSchema(for: ["type": "object", "required": ["ok"]]) == ["type": "object", "required": ["ok"]])
        #expect(MCPTools.inputSchema(for: ["type": "boolean"]) == [
            "type": "object", "properties": ["response": ["type": "boolean"]], "required": ["response"], "additionalProperties": false,
        ])
    }

    @Test("lines: a line longer than the limit is reported once and skipped to its end; the next line is read whole")
    func longLines() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let text = String(repeating: "x", count: 100) + "\n{\"ok\":1}\nlast"
        _ = text.withCString { write(fds[1], $0, strlen($0)) }
        close(fds[1])
        var reader = LineReader(descriptor: fds[0], limit: 10)
        var seen: [String] = []
        while let line = reader.next() {
            switch line {
            case .tooLong: seen.append("too long")
            case .line(let bytes): seen.append(String(decoding: bytes, as: UTF8.self))
            }
        }
        close(fds[0])
        #expect(seen == ["too long", #"{"ok":1}"#, "last"])
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WorkflowClient
import WorkflowJSON

/// workflowd as a Model Context Protocol server over stdio: an assistant lists definitions and
/// instances, starts runs, reads their outcomes and events, and sees and answers the requests
/// waiting for a person, all through the daemon's socket with the rights of the user who runs it.
///
/// The protocol is JSON-RPC 2.0, one message per line on stdin and stdout (MCP's stdio
/// transport): `initialize`, `ping`, `tools/list`, `tools/call`, `resources/list`,
/// `resources/read`, `resources/templates/list`; notifications are read and need no answer.
/// Messages are handled one at a time, in order, on the calling thread (everything here blocks:
/// call it from a thread of its own). It returns when stdin ends.
///
/// ```swift
/// try MCPServer(socketPath: "/run/workflowd/workflowd.sock", version: "1.0.0").serve()
/// ```
public struct MCPServer: Sendable {
    /// The daemon's socket.
    public let socketPath: String
    /// The version this server reports (wfctl's).
    public let version: String

    /// Protocol versions this server speaks, newest first: a client asking for one of them gets
    /// it, any other client the newest.
    public static let protocolVersions = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"]
    /// The longest message read (a longer line is answered with a parse error and skipped).
    public static let maximumLine = 16 << 20

    /// A server for the daemon at `socketPath`.
    public init(socketPath: String, version: String) {
        self.socketPath = socketPath
        self.version = version
    }

    /// Serves until `input` ends. Blocks the calling thread.
    /// - Throws: when `output` cannot be written (the client went away).
    public func serve(input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO) throws {
        let tools = MCPTools(daemon: DaemonLink(socketPath: socketPath))
        var reader = LineReader(descriptor: input, limit: Self.maximumLine)
        while let line = reader.next() {
            let answer: JSON?
            switch line {
            case .tooLong:
                answer = Self.error(id: .null, code: -32700, "a message longer than \(Self.maximumLine) bytes")
            case .line(let bytes):
                guard bytes.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\t") }) else { continue }
                answer = handle(bytes, tools: tools)
            }
            if let answer { try Self.write(answer, to: output) }
        }
    }

    /// The answer to one line (nil for a notification).
    func handle(_ bytes: [UInt8], tools: MCPTools) -> JSON? {
        let message: JSON
        do { message = try JSONParser.parse(bytes) } catch {
            return Self.error(id: .null, code: -32700, "not JSON: \(error)")
        }
        guard case .object(let object) = message else {
            return Self.error(id: .null, code: -32600, "a message must be a JSON-RPC 2.0 object (batches are not part of MCP)")
        }
        let id = object["id"]
        guard let method = object["method"]?.stringValue else {
            // A response to a request of ours (we send none) or something else: nothing to say.
            return id == nil ? nil : Self.error(id: id ?? .null, code: -32600, "a request needs a method")
        }
        guard let id, id != .null else { return nil }  // a notification (initialized, cancelled, …)
        let params = object["params"]?.objectValue ?? [:]
        do {
            return ["jsonrpc": "2.0", "id": id, "result": try result(method, params, tools: tools)]
        } catch let failure as MCPFailure {
            return Self.error(id: id, code: failure.code, failure.message)
        } catch {
            return Self.error(id: id, code: -32603, "\(error)")
        }
    }

    private func result(_ method: String, _ params: JSONObject, tools: MCPTools) throws -> JSON {
        switch method {
        case "initialize":
            let asked = params["protocolVersion"]?.stringValue ?? ""
            return [
                "protocolVersion": .string(Self.protocolVersions.contains(asked) ? asked : Self.protocolVersions[0]),
                "capabilities": ["tools": ["listChanged": false], "resources": ["subscribe": false, "listChanged": false]],
                "serverInfo": ["name": "workflowd", "title": "workflowd", "version": .string(version)],
                "instructions": """
                    workflowd runs named workflow instances. list_requests shows what waits for a person; each open request \
                    is also a tool answer_<requestId> whose input is the answer its schema asks for. start_run starts a run \
                    and waits for its outcome; read_events shows what happened.
                    """,
            ]
        case "ping":
            return [:]
        case "tools/list":
            return ["tools": .array(tools.list())]
        case "tools/call":
            guard let name = params["name"]?.stringValue else { throw MCPFailure(code: -32602, "tools/call needs a tool's name") }
            return tools.call(name, arguments: params["arguments"]?.objectValue ?? [:])
        case "resources/list":
            return ["resources": .array(try tools.resources())]
        case "resources/read":
            guard let uri = params["uri"]?.stringValue else { throw MCPFailure(code: -32602, "resources/read needs a uri") }
            return ["contents": .array(try tools.read(uri))]
        case "resources/templates/list":
            return ["resourceTemplates": [
                ["uriTemplate": "workflowd://instances/{name}", "name": "instance", "mimeType": "application/json",
                 "description": "An instance: status, definition, open requests, waits, head checkpoint"],
                ["uriTemplate": "workflowd://instances/{name}/graph", "name": "instance graph", "mimeType": "text/vnd.mermaid",
                 "description": "An instance's graph in Mermaid, with the steps of its last run marked"],
            ]]
        default:
            throw MCPFailure(code: -32601, "no method '\(method)' (this server has initialize, ping, tools/*, resources/*)")
        }
    }

    static func error(id: JSON, code: Int, _ message: String) -> JSON {
        ["jsonrpc": "2.0", "id": id, "error": ["code": .number(Double(code)), "message": .string(message)]]
    }

    /// Writes one message and its newline, all of it.
    static func write(_ message: JSON, to descriptor: Int32) throws {
        var bytes = message.serializedBytes(sortedKeys: false)
        bytes.append(UInt8(ascii: "\n"))
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw MCPFailure(code: -32603, "cannot write to the client: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }
}

/// A protocol error to answer with (its JSON-RPC code and message).
struct MCPFailure: Error {
    let code: Int
    let message: String
    init(code: Int, _ message: String) {
        self.code = code
        self.message = message
    }
}

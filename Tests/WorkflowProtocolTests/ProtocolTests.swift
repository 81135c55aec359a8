import Foundation
import JSONSchema
import Testing
import WorkflowJSON
@testable import WorkflowProtocol

/// The protocol library without a daemon: the envelope decoded in one pass, typed params, and the
/// OpenRPC document that client authors read.
@Suite("Protocol: envelope, params, OpenRPC document")
struct ProtocolTests {
    static var contrib: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Contrib/openrpc.json").path
    }

    @Test("an events.event line built around pre-serialized event bytes is byte for byte the generic notification's line")
    func eventLine() throws {
        let event: JSON = ["seq": 42, "type": "output", "runId": "r-1", "value": ["text": "a \"quoted\" line\nwith ünïcode", "n": 1.5],
                           "time": "2026-12-03T12:00:00.000Z"]
        for subscription in ["s-1", "odd \"id\"\\"] {
            let generic = RPCOutgoing.line(RPCOutgoing.notification(EventMethods.Event.name, ["subscription": .string(subscription), "event": event]))
            #expect(RPCOutgoing.eventLine(subscription: subscription, event: event.serializedBytes()) == generic)
        }
    }

    @Test("Contrib/openrpc.json is the catalogue's document (regenerate it with `workflowd --print-openrpc`)")
    func documentIsCurrent() throws {
        let text = try String(contentsOfFile: Self.contrib, encoding: .utf8)
        let file = try JSONParser.parse(text)
        #expect(file == RPCCatalogue.openRPC)
        #expect(file["openrpc"]?.stringValue?.hasPrefix("1.3") == true)
    }

    @Test("every method has a unique name, params and result schemas that compile, and documented errors")
    func everyMethodIsDescribed() throws {
        let names = RPCCatalogue.methods.map { $0.name }
        #expect(Set(names).count == names.count)
        for (index, method) in RPCCatalogue.methods.enumerated() {
            #expect(!method.summary.isEmpty)
            // rpc.discover's result is the OpenRPC meta-schema, referred to by its URI (not fetched).
            if method.name != DaemonMethods.Discover.name {
                _ = try JSONSchema(ProtocolTests.schema(at: "#/methods/\(index)/result/schema"))
            }
            for code in method.errors { #expect(RPCError.Code.all.contains { $0.0 == code }, "\(method.name): \(code) is documented") }
        }
    }

    /// The document as a schema that refers to one of its parts (so `#/components/...` resolve).
    static func schema(at pointer: String) -> JSON {
        guard case .object(var object) = RPCCatalogue.openRPC else { return .null }
        object["$ref"] = .string(pointer)
        return .object(object)
    }

    @Test("the envelope in one pass: requests, notifications, responses, and invalid messages keep a readable id")
    func envelope() throws {
        guard case .single(.request(let id, let method, let params))? = RPCFrame.decode(Array(#"{"jsonrpc":"2.0","id":"a","method":"m","params":{"x":1}}"#.utf8)) else {
            Issue.record("not a request")
            return
        }
        #expect(id.json == "a")
        #expect(method == "m")
        #expect(params == ["x": 1])
        guard case .single(.notification("n", nil))? = RPCFrame.decode(Array(#"{"jsonrpc":"2.0","method":"n"}"#.utf8)) else {
            Issue.record("not a notification")
            return
        }
        guard case .single(.invalid(let badID, let error))? = RPCFrame.decode(Array(#"{"jsonrpc":"2.0","id":3,"method":"m","params":5}"#.utf8)) else {
            Issue.record("not invalid")
            return
        }
        #expect(badID.json == 3)
        #expect(error.code == .invalidRequest)
        #expect(RPCFrame.decode(Array("   ".utf8)) == nil)
        guard case .unreadable(let parse)? = RPCFrame.decode(Array("{".utf8)) else {
            Issue.record("not unreadable")
            return
        }
        #expect(parse.code == .parseError)
        guard case .batch(let messages)? = RPCFrame.decode(Array(#"[{"jsonrpc":"2.0","method":"n"},1]"#.utf8)) else {
            Issue.record("not a batch")
            return
        }
        #expect(messages.count == 2)
    }

    @Test("typed params: unknown keys, wrong types and missing members are named by path")
    func params() throws {
        #expect(throws: RPCError.self) { try RunMethods.Start.decode(["instance": "x", "nope": 1]) }
        do {
            _ = try RunMethods.Start.decode(["instance": 3])
            Issue.record("accepted a number for a name")
        } catch {
            #expect(error.code == .invalidParams)
            #expect(error.data?["path"] == "params.instance")
        }
        let decoded = try RunMethods.Start.decode(["instance": "x", "input": [1, 2], "wait": true])
        #expect(decoded.instance == "x")
        #expect(decoded.input == [1, 2])
        #expect(decoded.wait == true)
        let encoded = try RunMethods.Start.encode(params: decoded)
        #expect(try RunMethods.Start.decode(encoded) == decoded)
    }

    @Test("an unknown param is named with the params the method takes, or with 'takes no params'")
    func unknownParamMessage() {
        do {
            _ = try RunMethods.Start.decode(["instance": "x", "nope": 1])
            Issue.record("accepted params.nope")
        } catch {
            #expect(error.message.hasSuffix("params.nope: unknown (run.start takes instance, input, definition, idempotencyKey, wait, traceparent)"))
        }
        do {
            _ = try DaemonMethods.Ping.decode(["nope": 1])
            Issue.record("accepted params.nope")
        } catch {
            #expect(error.message.hasSuffix("params.nope: unknown (daemon.ping takes no params)"))
        }
    }
}

import Testing
import WorkflowJSON
@testable import WorkflowProtocol

/// The one table of error codes: each code once, with a message and a category, and the typed
/// notifications both sides build and read.
@Suite("Protocol: error categories and typed notifications")
struct ErrorCategoryTests {
    @Test("every code is in the table once, with a message; store failures and broken instances have codes of their own")
    func table() {
        let codes = RPCError.Code.table.map(\.code.rawValue)
        #expect(Set(codes).count == codes.count)
        #expect(RPCError.Code.table.allSatisfy { !$0.message.isEmpty })
        #expect(RPCError.Code.storeFailed.rawValue == -32014 && RPCError.Code.storeFailed.category == .storeFailure)
        #expect(RPCError.Code.instanceBroken.rawValue == -32015 && RPCError.Code.instanceBroken.category == .conflict)
        #expect(RPCError.Code.internalError.category == .internalFailure)
        #expect(RPCError.Code(rawValue: -31999).category == .internalFailure, "an unknown code is an internal failure")
        // Every category is used by some code.
        #expect(Set(RPCError.Code.table.map(\.category)) == Set(ErrorCategory.allCases))
    }

    @Test("the categories of the specification's and workflowd's codes")
    func categories() {
        let expected: [(RPCError.Code, ErrorCategory)] = [
            (.invalidParams, .invalidInput), (.responseInvalid, .invalidInput), (.limitExceeded, .invalidInput),
            (.instanceNotFound, .notFound), (.runNotFound, .notFound), (.instanceBusy, .conflict), (.instanceExists, .conflict),
            (.permissionDenied, .permissionDenied), (.shuttingDown, .unavailable),
        ]
        for (code, category) in expected { #expect(code.category == category, "\(code)") }
    }

    @Test("events.closed is built and read through its typed params: the reason is one of a closed set")
    func closedNotification() throws {
        let message = try EventMethods.Closed.message(.init(subscription: "s1", reason: .deleted, lastSeq: 7))
        #expect(message["method"] == "events.closed")
        #expect(message["params"] == ["subscription": "s1", "reason": "deleted", "lastSeq": 7])
        let read = try EventMethods.Closed.decode(params: message["params"])
        #expect(read.reason == .deleted && read.lastSeq == 7)
        #expect(throws: (any Error).self) { try EventMethods.Closed.decode(params: ["subscription": "s1", "reason": "gone", "lastSeq": 1]) }
        let overflow = try EventMethods.Overflow.message(.init(subscription: "s2", lastSeq: 3))
        #expect(overflow == ["jsonrpc": "2.0", "method": "events.overflow", "params": ["subscription": "s2", "lastSeq": 3]])
    }
}

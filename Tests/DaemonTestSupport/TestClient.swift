import NIOConcurrencyHelpers
import WorkflowClient
import WorkflowJSON
import WorkflowProtocol

/// The library's connection (``WorkflowConnection``) as a test drives the daemon: answers go to
/// their callers by id (so calls may overlap), everything else (notifications, batch answers,
/// errors with a null id, lines that are not JSON) waits in order for `next()`. Every wait has a
/// deadline, so a daemon that never answers fails the test instead of hanging it.
package final class TestClient: Sendable {
    /// The connection itself (a slow reader reads through it by hand).
    package let connection: WorkflowConnection
    package let mailbox: Mailbox

    /// A call that succeeded: what was sent and what came back (the OpenRPC test validates them
    /// against the document's schemas).
    package struct RecordedCall: Sendable {
        package var method: String
        package var params: JSON?
        package var result: JSON
    }

    /// Every successful call of every client in this test process.
    package static let recorded = NIOLockedValueBox<[RecordedCall]>([])

    package struct Timeout: Error, CustomStringConvertible {
        package var what: String
        package var description: String { "timed out waiting for \(what)" }
    }

    /// Connects to the daemon's socket; a client that does not read automatically reads 1 KiB at
    /// a time, when asked.
    package static func connect(_ path: String, autoRead: Bool = true) async throws -> TestClient {
        let mailbox = Mailbox()
        // Calls count up from 1_000_001: never an id a test writes by hand.
        let options = WorkflowConnection.Options(readsAutomatically: autoRead, readSize: autoRead ? nil : 1024, firstRequestID: 1_000_001)
        let connection = try await WorkflowConnection.connect(path: path, options: options) { incoming in
            switch incoming {
            case .message(let message): mailbox.deliver(message)
            case .unreadable(let text): mailbox.deliver(.string(text))
            case .closed: mailbox.close()
            }
        }
        return TestClient(connection: connection, mailbox: mailbox)
    }

    private init(connection: WorkflowConnection, mailbox: Mailbox) {
        self.connection = connection
        self.mailbox = mailbox
    }

    /// Sends raw text (a newline is added unless `newline` is false).
    package func send(raw text: String, newline: Bool = true) async throws {
        try await connection.send(raw: Array(text.utf8) + (newline ? [0x0A] : []))
    }

    /// Sends one message as a line.
    package func send(_ message: JSON) async throws {
        try await connection.send(message)
    }

    /// Calls a method and returns its answer (result or error).
    package func call(_ method: String, _ params: JSON? = nil, timeout: Duration = .seconds(60)) async throws -> Result<JSON, RPCError> {
        let connection = self.connection
        let answer = try await withThrowingTaskGroup(of: Result<JSON, RPCError>.self) { group in
            group.addTask { try await connection.call(method, params) }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw Timeout(what: "the answer to \(method)")
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
        if case .success(let result) = answer {
            Self.recorded.withLockedValue { calls in
                if calls.count < 20_000 { calls.append(RecordedCall(method: method, params: params, result: result)) }
            }
        }
        return answer
    }

    /// Calls a method that must succeed.
    @discardableResult
    package func result(_ method: String, _ params: JSON? = nil, timeout: Duration = .seconds(60)) async throws -> JSON {
        try await call(method, params, timeout: timeout).get()
    }

    /// Calls a method that must fail, and returns its error.
    package func error(_ method: String, _ params: JSON? = nil) async throws -> RPCError {
        switch try await call(method, params) {
        case .success(let result): throw Timeout(what: "an error from \(method), which answered \(result.serialized())")
        case .failure(let error): return error
        }
    }

    /// The next message that is not an answer to a call (nil once the daemon closed the connection).
    package func next(timeout: Duration = .seconds(30)) async throws -> JSON? {
        try await mailbox.next().value(timeout: timeout, what: "a message")
    }

    /// Notifications of a method, skipping others, until `count` have come.
    package func notifications(_ method: String, count: Int, timeout: Duration = .seconds(30)) async throws -> [JSON] {
        var found: [JSON] = []
        while found.count < count {
            guard let message = try await next(timeout: timeout) else { throw Timeout(what: "\(method) (the connection closed)") }
            if message["method"]?.stringValue == method { found.append(message["params"] ?? .null) }
        }
        return found
    }

    /// Events of a subscription until one matches `until`.
    package func events(until: (JSON) -> Bool, timeout: Duration = .seconds(30)) async throws -> [JSON] {
        var events: [JSON] = []
        while true {
            guard let message = try await next(timeout: timeout) else { throw Timeout(what: "an event (the connection closed)") }
            if message["method"]?.stringValue == "events.overflow" {
                throw Timeout(what: "events: this client's subscription overflowed (\(message.serialized()))")
            }
            guard message["method"]?.stringValue == "events.event", let event = message["params"]?["event"] else { continue }
            events.append(event)
            if until(event) { return events }
        }
    }

    package func close() async {
        connection.close()
    }

    /// Where lines go.
    package final class Mailbox: Sendable {
        private struct State {
            var others: [JSON] = []
            var head = 0  // others[..<head] are taken (popping the front of an array is O(n))
            var otherWaiter: Waiter?
            var closed = false
        }
        private let state = NIOLockedValueBox(State())

        package func deliver(_ message: JSON) {
            let waiter: Waiter? = state.withLockedValue { state in
                if let waiter = state.otherWaiter {
                    state.otherWaiter = nil
                    return waiter
                }
                state.others.append(message)
                return nil
            }
            waiter?.fulfil(message)
        }

        /// Messages that are not answers, received and not yet taken.
        package var waiting: Int { state.withLockedValue { $0.others.count - $0.head } }

        package func close() {
            let waiter: Waiter? = state.withLockedValue { state in
                state.closed = true
                defer { state.otherWaiter = nil }
                return state.otherWaiter
            }
            waiter?.fulfil(nil)
        }

        package func next() -> Waiter {
            let waiter = Waiter()
            state.withLockedValue { state in
                if state.head < state.others.count {
                    waiter.fulfil(state.others[state.head])
                    state.head += 1
                    if state.head > 4096 && state.head * 2 > state.others.count {
                        state.others.removeFirst(state.head)
                        state.head = 0
                    }
                } else if state.closed {
                    waiter.fulfil(nil)
                } else {
                    state.otherWaiter = waiter
                }
            }
            return waiter
        }
    }

    /// A value that arrives once, awaited with a deadline.
    package final class Waiter: Sendable {
        private let promise = NIOLockedValueBox<(value: JSON??, continuation: CheckedContinuation<JSON?, any Error>?)>((nil, nil))

        package func fulfil(_ value: JSON?) {
            let continuation = promise.withLockedValue { state -> CheckedContinuation<JSON?, any Error>? in
                guard state.value == nil else { return nil }
                state.value = .some(value)
                defer { state.continuation = nil }
                return state.continuation
            }
            continuation?.resume(returning: value)
        }

        private func expire(_ what: String) {
            let continuation = promise.withLockedValue { state -> CheckedContinuation<JSON?, any Error>? in
                guard state.value == nil else { return nil }
                state.value = .some(nil)
                defer { state.continuation = nil }
                return state.continuation
            }
            continuation?.resume(throwing: Timeout(what: what))
        }

        package func value(timeout: Duration, what: String) async throws -> JSON? {
            let deadline = Task {
                do {
                    try await Task.sleep(for: timeout)
                    self.expire(what)
                } catch {}  // cancelled: the value came
            }
            defer { deadline.cancel() }
            return try await withCheckedThrowingContinuation { continuation in
                let ready = promise.withLockedValue { state -> JSON?? in
                    if let value = state.value { return .some(value) }
                    state.continuation = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        }
    }
}

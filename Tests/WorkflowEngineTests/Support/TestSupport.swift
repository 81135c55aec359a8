import Testing
@_exported import WorkflowTestSupport
@testable import WorkflowEngine

/// Records what executors did, from any task.
actor Tracker {
    private(set) var entries: [String] = []
    func record(_ entry: String) { entries.append(entry) }
}

/// An executor built from closures for the message and the response.
struct Scripted: Executor {
    typealias Handler = @Sendable (JSON, inout ExecutorContext) async throws -> Void
    typealias ResponseHandler = @Sendable (JSON, WorkflowRequest, inout ExecutorContext) async throws -> Void
    let onMessage: Handler
    let onResponse: ResponseHandler?
    let runsInline: Bool

    init(inline: Bool = true, onResponse: ResponseHandler? = nil, _ onMessage: @escaping Handler) {
        self.onMessage = onMessage
        self.onResponse = onResponse
        self.runsInline = inline
    }

    mutating func handle(_ message: JSON, context: inout ExecutorContext) async throws {
        try await onMessage(message, &context)
    }

    mutating func handleResponse(_ response: JSON, to request: WorkflowRequest, context: inout ExecutorContext) async throws {
        if let onResponse {
            try await onResponse(response, request, &context)
        } else {
            context.send(["requestId": .string(request.id), "request": request.payload, "response": response])
        }
    }
}

/// Counts the messages it saw (state that snapshots and restores) and forwards them.
struct Counter: Executor {
    var seen = 0
    mutating func handle(_ message: JSON, context: inout ExecutorContext) async throws {
        seen += 1
        context.send(message)
    }
    func snapshot() throws -> JSON { ["seen": .number(Double(seen))] }
    mutating func restore(from snapshot: JSON) throws {
        guard let seen = snapshot["seen"]?.intValue else { throw WorkflowError(.invalidCheckpoint, "counter snapshot lacks 'seen'") }
        self.seen = seen
    }
}

struct Boom: Error, CustomStringConvertible {
    var description: String { "boom" }
}

/// Adds one to a numeric message.
func increment() -> Scripted {
    Scripted { message, context in context.send(.number((message.doubleValue ?? 0) + 1)) }
}

/// Yields the message as an output.
func output() -> Scripted {
    Scripted { message, context in context.yieldOutput(message) }
}

extension WorkflowBuilder {
    mutating func add(_ id: String, _ make: @escaping @Sendable () -> any Executor) {
        addExecutor(id, kind: id) { make() }
    }
}

/// Collects a stream's events until (and including) the first that matches `stop`.
func collect(_ stream: EventSubscription, until stop: (WorkflowEvent) -> Bool) async throws -> [WorkflowEvent] {
    var events: [WorkflowEvent] = []
    for try await event in stream {
        events.append(event)
        if stop(event) { break }
    }
    return events
}

/// Whether an event is a terminal status of a run.
func isTerminalStatus(_ event: WorkflowEvent) -> Bool {
    if case .status(let status) = event.body { return status != .inProgress }
    return false
}

extension WorkflowEvent {
    var warningReason: String? {
        if case .warning(_, let reason, _) = body { return reason }
        return nil
    }

    var statusValue: InstanceStatus? {
        if case .status(let status) = body { return status }
        return nil
    }
}

/// A store-backed instance for tests.
func makeInstance(_ workflow: Workflow, name: String = "test", store: InMemoryCheckpointStore? = InMemoryCheckpointStore(),
                  onBusy: BusyPolicy = .reject, validator: (any ResponseValidator)? = nil) -> WorkflowInstance {
    WorkflowInstance(name: name, workflow: workflow,
                     configuration: InstanceConfiguration(store: store, onBusy: onBusy, responseValidator: validator))
}

/// Accepts responses that are JSON of the schema's `type` (enough to test the validation hook;
/// the JSON Schema library brings the real validator).
struct TypeOnlyValidator: ResponseValidator {
    func problems(in response: JSON, against schema: JSON) -> [String] {
        guard let type = schema["type"]?.stringValue else { return [] }
        let actual = response.typeName
        return actual == type ? [] : ["/: expected \(type), got \(actual)"]
    }
}

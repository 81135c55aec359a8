import Testing
@_exported import WorkflowTestSupport
@testable import WorkflowEngine

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


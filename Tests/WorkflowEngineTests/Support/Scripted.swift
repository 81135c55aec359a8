import Testing
@testable import WorkflowEngine
@_exported import WorkflowTestSupport

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

/// A stateless executor made from a closure.
///
/// ```swift
/// builder.addExecutor("double") { FunctionExecutor { message, context in
///     context.send(.number((message.doubleValue ?? 0) * 2))
/// } }
/// ```
public struct FunctionExecutor: Executor {
    /// What the executor does with a message: it acts through the context (send, yield, request, state).
    public typealias Body = @Sendable (JSON, inout ExecutorContext) async throws -> Void
    private let body: Body
    public let runsInline: Bool

    /// Makes an executor of a function.
    /// - Parameters:
    ///   - runsInline: pass `true` only if `body` never waits (see ``Executor/runsInline``).
    ///   - body: what the executor does with each message: it sends, yields output, raises
    ///     requests and updates state through the context.
    public init(runsInline: Bool = false, _ body: @escaping Body) {
        self.body = body
        self.runsInline = runsInline
    }

    public mutating func handle(_ message: JSON, context: inout ExecutorContext) async throws {
        try await body(message, &context)
    }
}

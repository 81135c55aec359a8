import WorkflowEngine

/// Puts a conversation of 1,024 messages (about 1 MiB) in shared state once, then starts the loop.
struct SeedConversation: Executor {
    var runsInline: Bool { true }
    mutating func handle(_ message: JSON, context: inout ExecutorContext) async throws {
        if context.state("conversation") == nil {
            let text = String(repeating: "All work and no play makes a long conversation. ", count: 20)
            let messages: [JSON] = (0..<1_024).map { index in
                ["role": .string(index % 2 == 0 ? "user" : "assistant"), "n": .number(Double(index)), "text": .string(text)]
            }
            context.setState("conversation", .array(messages))
        }
        context.send(0)
    }
}

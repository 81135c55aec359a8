import WorkflowEngine

/// Asks a person for a number `rounds` times, then yields the total.
struct Asker: Executor {
    let rounds: Int
    var runsInline: Bool { true }
    var asked = 0
    var total = 0.0

    mutating func handle(_ message: JSON, context: inout ExecutorContext) async throws {
        asked = 1
        context.requestInfo(["question": "a number?", "round": .number(Double(asked))], schema: ["type": "number"])
    }

    mutating func handleResponse(_ response: JSON, to request: WorkflowRequest, context: inout ExecutorContext) async throws {
        total += response.doubleValue ?? 0
        if asked < rounds {
            asked += 1
            context.requestInfo(["question": "a number?", "round": .number(Double(asked))], schema: ["type": "number"])
        } else {
            context.yieldOutput(.number(total))
        }
    }

    func snapshot() throws -> JSON { ["asked": .number(Double(asked)), "total": .number(total)] }

    mutating func restore(from snapshot: JSON) throws {
        asked = snapshot["asked"]?.intValue ?? 0
        total = snapshot["total"]?.doubleValue ?? 0
    }
}

import Foundation
import GRDB
import Testing
import WorkflowEngine
import WorkflowJSON
@testable import WorkflowStore
import WorkflowTestSupport

/// Keeps notes in its own state: a long list that grows on every third message.
struct Notebook: Executor {
    var notes: [JSON] = []
    var runsInline: Bool { true }

    mutating func handle(_ message: JSON, context: inout ExecutorContext) async throws {
        let step = Int(message.doubleValue ?? 0)
        if step % 3 == 0 { notes.append(.string("note \(step) " + String(repeating: "n", count: 300))) }
    }

    func snapshot() throws -> JSON { notes.isEmpty ? .null : .array(notes) }
    mutating func restore(from snapshot: JSON) throws { notes = snapshot.arrayValue ?? [] }
}

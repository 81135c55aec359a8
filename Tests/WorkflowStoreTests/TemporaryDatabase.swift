import Foundation
import GRDB
import Synchronization
import Testing
import WorkflowEngine
@testable import WorkflowStore
import WorkflowTestSupport

/// A fresh database file in a directory of its own, removed afterwards.
final class TemporaryDatabase {
    let directory: URL
    var path: String { directory.appendingPathComponent("workflowd.sqlite").path }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("workflowd-store-\(Identifier.make("t"))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }
}

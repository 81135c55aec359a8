import Foundation
import Testing
import WorkflowDefinitions
import WorkflowEngine

/// A directory of executable scripts for one test, removed afterwards.
final class Scripts {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("exec-\(Identifier.make("t"))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// Writes an executable script and returns its path.
    func add(_ name: String, _ body: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try body.write(to: url, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        return url.path
    }

    var path: String { directory.path }
}

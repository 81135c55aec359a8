import Testing
@testable import WorkflowEngine
@_exported import WorkflowTestSupport

/// Records what executors did, from any task.
actor Tracker {
    private(set) var entries: [String] = []
    func record(_ entry: String) { entries.append(entry) }
}

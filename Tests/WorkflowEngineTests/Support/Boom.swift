import Testing
@testable import WorkflowEngine
@_exported import WorkflowTestSupport

struct Boom: Error, CustomStringConvertible {
    var description: String { "boom" }
}

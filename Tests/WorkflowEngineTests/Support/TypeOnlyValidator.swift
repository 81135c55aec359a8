import Testing
@testable import WorkflowEngine
@_exported import WorkflowTestSupport

/// Accepts responses that are JSON of the schema's `type` (enough to test the validation hook;
/// the JSON Schema library brings the real validator).
struct TypeOnlyValidator: ResponseValidator {
    func problems(in response: JSON, against schema: JSON) -> [String] {
        guard let type = schema["type"]?.stringValue else { return [] }
        let actual = response.typeName
        return actual == type ? [] : ["/: expected \(type), got \(actual)"]
    }
}

import WorkflowProtocol
import WorkflowClient
import WorkflowJSON

/// A JSON Schema in a few words: "an object with approved (boolean, required), note (string)".
enum SchemaSummary {
    static func describe(_ schema: JSON, depth: Int = 0) -> String {
        if schema == .bool(true) { return "any JSON value" }
        guard depth < 3, case .object(let object) = schema else { return "a value" }
        if let values = object["enum"]?.arrayValue { return "one of " + values.map { $0.serialized() }.joined(separator: ", ") }
        if let constant = object["const"] { return "exactly " + constant.serialized() }
        let type = object["type"]?.stringValue ?? object["type"]?.arrayValue?.compactMap(\.stringValue).joined(separator: " or ")
        switch type ?? (object["properties"] != nil ? "object" : "") {
        case "object":
            let properties = object["properties"]?.objectValue ?? [:]
            let required = Set(object["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            if properties.isEmpty { return "an object" }
            let fields = properties.keys.sorted { (required.contains($0) ? 0 : 1, $0) < (required.contains($1) ? 0 : 1, $1) }.map { key in
                let inner = properties[key] ?? true
                let kind = inner["type"]?.stringValue ?? (inner["enum"] != nil ? "one of " + (inner["enum"]?.arrayValue ?? []).map { $0.serialized() }.joined(separator: "/") : "any")
                return key + " (" + kind + (required.contains(key) ? ", required" : "") + ")"
            }
            return "an object with " + fields.joined(separator: ", ")
        case "array":
            return "a list of " + describe(object["items"] ?? true, depth: depth + 1)
        case "string":
            return "a string" + (object["minLength"].flatMap(\.intValue).map { " of at least \($0) characters" } ?? "")
        case "":
            return "a value"
        default:
            return "a " + (type ?? "value")
        }
    }
}

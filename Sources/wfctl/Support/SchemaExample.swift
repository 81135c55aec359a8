import WorkflowClient
import WorkflowJSON
import WorkflowProtocol

/// A value that fits a JSON Schema, for showing people what an answer looks like.
enum SchemaExample {
    static func value(for schema: JSON, depth: Int = 0) -> JSON {
        guard depth < 6, case .object(let object) = schema else { return .null }
        if let constant = object["const"] { return constant }
        if let first = object["enum"]?.arrayValue?.first { return first }
        if let example = object["examples"]?.arrayValue?.first { return example }
        if let defaultValue = object["default"] { return defaultValue }
        for key in ["anyOf", "oneOf", "allOf"] {
            if let first = object[key]?.arrayValue?.first { return value(for: first, depth: depth + 1) }
        }
        let type = object["type"]?.stringValue ?? object["type"]?.arrayValue?.first?.stringValue
        switch type ?? (object["properties"] != nil ? "object" : nil) {
        case "object"?:
            var result: JSONObject = [:]
            let properties = object["properties"]?.objectValue ?? [:]
            let required = object["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
            for name in required { result[name] = properties[name].map { value(for: $0, depth: depth + 1) } ?? .null }
            return .object(result)
        case "array"?:
            let minimum = object["minItems"]?.intValue ?? 0
            return .array(minimum > 0 ? Array(repeating: value(for: object["items"] ?? [:], depth: depth + 1), count: min(minimum, 3)) : [])
        case "boolean"?: return true
        case "integer"?, "number"?: return .number(Double(object["minimum"]?.doubleValue ?? 0))
        case "string"?: return "text"
        case "null"?: return .null
        default: return .null
        }
    }
}

import WorkflowJSON

/// Small builders for the JSON Schemas of the protocol (draft 2020-12), so the method catalogue
/// reads like a table.
public enum Schema {
    public static let string: JSON = ["type": "string"]
    public static let boolean: JSON = ["type": "boolean"]
    public static let integer: JSON = ["type": "integer"]
    public static let count: JSON = ["type": "integer", "minimum": 0]
    public static let seq: JSON = ["type": "integer", "minimum": 0]
    public static let any: JSON = true
    public static let time: JSON = ["type": "string", "format": "date-time"]
    public static let name: JSON = ["type": "string", "minLength": 1, "maxLength": 128, "pattern": "^[A-Za-z0-9_][A-Za-z0-9_.-]*$"]

    public static func array(_ items: JSON) -> JSON { ["type": "array", "items": items] }
    public static func ref(_ component: String) -> JSON { ["$ref": .string("#/components/schemas/\(component)")] }
    public static func oneOf(_ values: [String]) -> JSON { ["type": "string", "enum": .array(values.map { .string($0) })] }
    public static func nullable(_ schema: JSON) -> JSON { ["anyOf": [schema, ["type": "null"]]] }

    /// An object with these properties (`required` names those that must be there).
    public static func object(_ properties: KeyValuePairs<String, JSON>, required: [String] = [], open: Bool = false) -> JSON {
        var object: JSONObject = [:]
        for (key, value) in properties { object[key] = value }
        return ["type": "object", "properties": .object(object), "required": .array(required.map { .string($0) }),
                "additionalProperties": .bool(open)]
    }
}

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

    /// The schema of a wire type, read from the type itself (``TypeShape``): its members, those
    /// that are required, their JSON types, its closed sets. `refinements` say more of a member
    /// than its type can (a date-time, a shared schema to refer to); a refinement for a member the
    /// type does not have stays in the schema, where TypeShapeTests reports it.
    public static func of(_ type: any Decodable.Type, _ refinements: [String: JSON] = [:]) -> JSON {
        schema(for: TypeShape.of(type), refinements, top: true)
    }

    /// The shared schemas (`#/components/schemas/…`) by their types' shapes: a member of one of
    /// these types refers to its shared schema instead of repeating it.
    static let components: [TypeShape: String] = {
        let types: [(any Decodable.Type, String)] = [
            (InstanceInfo.self, "InstanceInfo"), (RunInfo.self, "RunInfo"), (RequestInfo.self, "RequestInfo"), (WaitInfo.self, "WaitInfo"), (ScheduleInfo.self, "ScheduleInfo"),
            (CheckpointInfo.self, "CheckpointInfo"), (DefinitionInfo.self, "DefinitionInfo"), (DefinitionProblem.self, "DefinitionProblem"),
        ]
        var byShape: [TypeShape: String] = [:]
        for (type, name) in types { byShape[TypeShape.of(type)] = name }
        return byShape
    }()

    static func schema(for shape: TypeShape, _ refinements: [String: JSON] = [:], top: Bool = false) -> JSON {
        if !top, let component = components[shape] { return ref(component) }
        switch shape {
        case .string: return string
        case .integer: return count
        case .number: return ["type": "number"]
        case .boolean: return boolean
        case .any: return any
        case .oneOf(let values): return oneOf(values)
        case .array(let element): return array(schema(for: element))
        case .map(let value): return ["type": "object", "additionalProperties": schema(for: value)]
        case .object(let members):
            var properties: JSONObject = [:]
            for (name, member) in members { properties[name] = refinements[name] ?? schema(for: member.shape) }
            for (name, refinement) in refinements where members[name] == nil { properties[name] = refinement }
            let required = members.filter(\.value.required).keys.sorted()
            return ["type": "object", "properties": .object(properties), "required": .array(required.map { .string($0) }),
                    "additionalProperties": false]
        }
    }

    /// An object with these properties (`required` names those that must be there).
    public static func object(_ properties: KeyValuePairs<String, JSON>, required: [String] = [], open: Bool = false) -> JSON {
        var object: JSONObject = [:]
        for (key, value) in properties { object[key] = value }
        return ["type": "object", "properties": .object(object), "required": .array(required.map { .string($0) }),
                "additionalProperties": .bool(open)]
    }
}

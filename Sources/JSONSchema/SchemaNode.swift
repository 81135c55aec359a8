import WorkflowJSON

/// A compiled subschema. Subschemas refer to each other by index into the compiled schema's node
/// list, so references (and cycles) cost nothing at validation time.
enum SchemaNode: Sendable {
    case always(Bool, location: String)
    case object(ObjectSchema)
}

/// The JSON types a `type` keyword allows.
struct TypeMask: OptionSet, Sendable {
    let rawValue: Int
    static let null = TypeMask(rawValue: 1)
    static let boolean = TypeMask(rawValue: 2)
    static let object = TypeMask(rawValue: 4)
    static let array = TypeMask(rawValue: 8)
    static let number = TypeMask(rawValue: 16)
    static let string = TypeMask(rawValue: 32)
    static let integer = TypeMask(rawValue: 64)

    static let names: [(String, TypeMask)] = [
        ("null", .null), ("boolean", .boolean), ("object", .object), ("array", .array),
        ("number", .number), ("string", .string), ("integer", .integer),
    ]

    func matches(_ value: JSON) -> Bool {
        switch value {
        case .null: contains(.null)
        case .bool: contains(.boolean)
        case .object: contains(.object)
        case .array: contains(.array)
        case .string: contains(.string)
        case .number(let n): contains(.number) || (contains(.integer) && n.rounded() == n)
        }
    }

    var description: String {
        TypeMask.names.filter { contains($0.1) }.map(\.0).joined(separator: " or ")
    }
}

/// A compiled regular expression (ECMA-262 patterns, as Swift's `Regex` reads them).
final class Pattern: @unchecked Sendable {
    // Regex is immutable once built; matching from several threads at once is safe.
    let regex: Regex<AnyRegexOutput>
    let source: String

    init(_ source: String) throws {
        self.source = source
        self.regex = try Regex(source)
    }

    func matches(_ text: String) -> Bool {
        (try? regex.firstMatch(in: text)) != nil
    }
}

/// A `$dynamicRef`: its static target, and the anchor name if it is dynamic (bookended).
struct DynamicReference: Sendable {
    var target: Int
    var anchor: String?
}

/// An object schema with its keywords compiled. A class, so that visiting a node during
/// validation does not copy (and retain) its dozens of fields; it is filled in by the compiler
/// and never changed afterwards.
final class ObjectSchema: @unchecked Sendable {
    /// Where this subschema is (`#/properties/a`, or `<uri>#/...` in another document).
    var location: String
    /// The base URI of the schema resource it belongs to (for the dynamic scope).
    var resource: String

    var ref: Int?
    var dynamicRef: DynamicReference?

    var types: TypeMask?
    var enumValues: [JSON]?
    var constValue: JSON?
    var hasConst = false

    var minimum: Double?
    var maximum: Double?
    var exclusiveMinimum: Double?
    var exclusiveMaximum: Double?
    var multipleOf: Double?

    var minLength: Int?
    var maxLength: Int?
    var pattern: Pattern?

    var prefixItems: [Int] = []
    var items: Int?
    var contains: Int?
    var minContains: Int?
    var maxContains: Int?
    var minItems: Int?
    var maxItems: Int?
    var uniqueItems = false
    var unevaluatedItems: Int?

    var properties: [String: Int] = [:]
    var patternProperties: [(pattern: Pattern, schema: Int)] = []
    var additionalProperties: Int?
    var propertyNames: Int?
    var required: [String] = []
    var minProperties: Int?
    var maxProperties: Int?
    var dependentRequired: [(property: String, requires: [String])] = []
    var dependentSchemas: [(property: String, schema: Int)] = []
    var unevaluatedProperties: Int?

    var allOf: [Int] = []
    var anyOf: [Int] = []
    var oneOf: [Int] = []
    var not: Int?
    var ifSchema: Int?
    var thenSchema: Int?
    var elseSchema: Int?

    var hasUnevaluated: Bool { unevaluatedItems != nil || unevaluatedProperties != nil }

    init(location: String, resource: String) {
        self.location = location
        self.resource = resource
    }
}

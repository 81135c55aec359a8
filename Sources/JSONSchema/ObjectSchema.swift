import WorkflowJSON

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

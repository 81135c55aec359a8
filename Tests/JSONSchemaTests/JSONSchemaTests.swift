import JSONSchema
import Testing
import WorkflowJSON

@Suite("JSON Schema validation")
struct JSONSchemaTests {
    let approval: JSON = ["type": "object", "required": ["approved"], "additionalProperties": false,
                          "properties": ["approved": ["type": "boolean"], "note": ["type": "string", "maxLength": 5]]]

    @Test("each failure names the instance location, the schema location and says what is wrong")
    func messages() throws {
        let schema = try JSONSchema(approval)
        let errors = schema.validate(["approved": "yes", "note": "far too long", "extra": 1])
        #expect(errors.map(\.description) == [
            "/approved: expected boolean, got string",
            "/extra: property 'extra' is not allowed",
            "/note: must be at most 5 characters long (got 12)",
        ])
        #expect(errors.map(\.schemaLocation) == ["#/properties/approved/type", "#/additionalProperties", "#/properties/note/maxLength"])
        #expect(errors[0].instanceLocation == "/approved")
        #expect(schema.validate([:]).map(\.description) == ["/: missing required property 'approved'"])
        #expect(schema.validate(["approved": true]).isEmpty)
        #expect(schema.isValid(["approved": false, "note": "ok"]))
    }

    @Test("combinators summarise why each alternative failed")
    func combinators() throws {
        let schema = try JSONSchema(["anyOf": [["type": "string"], ["type": "number", "minimum": 10]]])
        #expect(schema.validate(3).map(\.description) == [
            "/: matches none of the 2 alternatives of anyOf (/: expected string, got number; /: must be at least 10 (got 3))",
        ])
        let exactlyOne = try JSONSchema(["oneOf": [["type": "number"], ["minimum": 0]]])
        #expect(exactlyOne.validate(5).map(\.description) == ["/: matches alternatives 0 and 1 of oneOf; it must match exactly one"])
    }

    @Test("an invalid schema is refused when compiled, naming where", arguments: [
        (["type": "strung"] as JSON, "#/type", "type must be one of"),
        (["properties": ["a": ["minLength": -1]]] as JSON, "#/properties/a/minLength", "minLength must be a non-negative integer"),
        (["pattern": "(unclosed"] as JSON, "#/pattern", "is not a valid regular expression"),
        (["$ref": "#/$defs/missing"] as JSON, "#/$ref", "cannot resolve '#/$defs/missing'"),
        (["$ref": "https://example.com/other.json"] as JSON, "#/$ref", "remote schemas are not fetched"),
        (["allOf": []] as JSON, "#/allOf", "allOf must be a non-empty array of schemas"),
        (["items": 3] as JSON, "#/items", "a schema must be an object or a boolean, not number"),
        (["multipleOf": 0] as JSON, "#/multipleOf", "multipleOf must be greater than 0"),
    ])
    func invalidSchemas(schema: JSON, path: String, message: String) {
        #expect {
            try JSONSchema(schema)
        } throws: { error in
            guard let error = error as? SchemaError else { return false }
            return error.path == path && error.message.contains(message)
        }
    }

    @Test("schemas may validate against the 2020-12 meta-schema without the network")
    func metaSchema() throws {
        let meta = try JSONSchema(["$ref": "https://json-schema.org/draft/2020-12/schema"])
        #expect(meta.isValid(approval))
        #expect(meta.validate(["type": 12]).count == 1)
        #expect(!meta.isValid(["properties": ["a": ["minimum": "zero"]]]))
    }

    @Test("a value nested deeper than the evaluator's limit under a recursive schema is refused with a reason, never a stack overflow")
    func deepRecursion() throws {
        let schema = try JSONSchema(["items": ["$ref": "#"]])
        var shallow: JSON = []
        for _ in 0..<100 { shallow = [shallow] }
        #expect(schema.isValid(shallow))
        var deep: JSON = []
        for _ in 0..<500 { deep = [deep] }
        let errors = schema.validate(deep)
        #expect(errors.contains { $0.message.contains("nested too deep") }, "\(errors.prefix(2))")
    }

    @Test("a compiled schema is shared safely between tasks")
    func concurrent() async throws {
        let schema = try JSONSchema(["type": "array", "items": ["type": "integer"], "uniqueItems": true])
        let results = await withTaskGroup(of: Bool.self) { group in
            for n in 0..<64 { group.addTask { schema.isValid(.array((0..<n).map { .number(Double($0)) } + (n % 2 == 0 ? [0] : []))) } }
            var all: [Bool] = []
            for await result in group { all.append(result) }
            return all
        }
        #expect(results.filter { $0 }.count == 32 + 1)  // odd n are valid, and n = 0 ([0])
    }
}

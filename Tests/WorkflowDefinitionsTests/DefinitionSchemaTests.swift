import Foundation
import JSONSchema
import Testing
import WorkflowDefinitions
import WorkflowEngine
import WorkflowTestSupport

@Suite("The definition format's JSON Schema (Contrib/schema)")
struct DefinitionSchemaTests {
    static let schemaFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Contrib/schema/workflow-definition.schema.json").standardized

    func schema() throws -> JSONSchema {
        let data = try Data(contentsOf: Self.schemaFile)
        return try JSONSchema(try JSON(parsing: [UInt8](data)))
    }

    @Test("the schema is valid 2020-12 and accepts the definitions the loader accepts")
    func acceptsValidDefinitions() throws {
        let data = try Data(contentsOf: Self.schemaFile)
        let meta = try JSONSchema(["$ref": "https://json-schema.org/draft/2020-12/schema"])
        #expect(meta.validate(try JSON(parsing: [UInt8](data))).isEmpty)
        let schema = try schema()
        let definition = try Definition.parse(review, file: "review.yaml")
        #expect(schema.validate(definition.document).map(\.description) == [])
    }

    @Test("the schema flags what the loader refuses, for editors", arguments: [
        "name: x\nstart: a\nexecutors:\n  a: { kind: output, colour: red }\n",
        "name: x\nstart: a\nexecutors:\n  a: { kind: teleport }\n",
        "name: x\nstart: a\nexecutors:\n  a: { kind: transform }\n",
        "name: x\nstart: a\nexecutors:\n  a: { kind: output }\nedges:\n  - { from: a }\n",
        "start: a\nexecutors:\n  a: { kind: output }\n",
        "name: x\nstart: a\nexecutors:\n  a: { kind: wait }\n",
        "name: x\nstart: a\nexecutors:\n  a: { kind: wait, for: soon }\n",
    ])
    func rejectsInvalidDefinitions(text: String) throws {
        #expect(throws: DefinitionError.self) { try Definition.parse(text, file: "bad.yaml") }
        let document = try Definition.document(parsing: text, file: "bad.yaml")
        #expect(!(try schema()).validate(document).isEmpty)
    }
}

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
        let scheduled = try Definition.parse("""
            name: x
            start: a
            executors:
              a: { kind: transform, expression: "@", retry: { attempts: 3, backoff: 2s, factor: 3, max: 1m, jitter: 0.2, on: [exit:75, timeout] } }
            schedules:
              - { name: n, instance: i, cron: "0 2 * * *", timeZone: Europe/Paris, overlap: queue, catchUp: all, jitter: 30s }
              - { name: m, instance: i, every: 15m, paused: true }
            """, file: "x.yaml")
        #expect(schema.validate(scheduled.document).map(\.description) == [])
    }

    @Test("the schema flags what the loader refuses, for editors", arguments: [
        "name: x\nstart: a\nexecutors:\n  a: { kind: output, colour: red }\n",
        "name: x\nstart: a\nexecutors:\n  a: { kind: teleport }\n",
        "name: x\nstart: a\nexecutors:\n  a: { kind: transform }\n",
        "name: x\nstart: a\nexecutors:\n  a: { kind: output }\nedges:\n  - { from: a }\n",
        "start: a\nexecutors:\n  a: { kind: output }\n",
        "name: x\nstart: a\nexecutors:\n  a: { kind: wait }\n",
        "name: x\nstart: a\nexecutors:\n  a: { kind: wait, for: soon }\n",
        "name: x\nstart: a\nexecutors:\n  a: { kind: output, retry: { backoff: 1s } }\n",
        "name: x\nstart: a\nexecutors:\n  a: { kind: output, retry: { attempts: 2, on: [exit:300] } }\n",
        "name: x\nstart: a\nexecutors:\n  a: { kind: output }\nschedules:\n  - { name: n, instance: i }\n",
        "name: x\nstart: a\nexecutors:\n  a: { kind: output }\nschedules:\n  - { name: n, instance: i, every: 1h, timeZone: UTC }\n",
    ])
    func rejectsInvalidDefinitions(text: String) throws {
        #expect(throws: DefinitionError.self) { try Definition.parse(text, file: "bad.yaml") }
        let document = try Definition.document(parsing: text, file: "bad.yaml")
        #expect(!(try schema()).validate(document).isEmpty)
    }
}

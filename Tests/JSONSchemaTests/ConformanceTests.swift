import Foundation
import JSONSchema
import Testing
import WorkflowJSON

/// Runs the JSON Schema Test Suite (draft 2020-12) from Fixtures/draft2020-12.
@Suite("JSON Schema Test Suite, draft 2020-12")
struct ConformanceTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/draft2020-12")

    /// The keyword files response validation needs: every test in them must pass.
    static let required = [
        "type", "enum", "const", "properties", "required", "additionalProperties", "patternProperties", "propertyNames",
        "items", "prefixItems", "contains", "minContains", "maxContains", "minItems", "maxItems", "uniqueItems", "minLength",
        "maxLength", "pattern", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minProperties",
        "maxProperties", "dependentRequired", "dependentSchemas", "allOf", "anyOf", "oneOf", "not", "if-then-else",
        "boolean_schema", "defs", "ref", "default", "format",
    ]

    /// Optional files that run and pass too.
    static let optional = ["anchor", "content", "dynamicRef", "infinite-loop-detection", "unevaluatedItems", "unevaluatedProperties"]

    /// Groups of optional files whose schemas reference documents on the suite's remote server
    /// (http://localhost:1234/…) are skipped: workflowd never fetches remote schemas.
    static let remoteServer = "http://localhost:1234/"

    /// Optional files that are skipped, and why.
    static let skipped: [String: String] = [
        "refRemote": "its schemas reference http://localhost:1234/…, documents served by the suite's remote server; workflowd never fetches remote schemas",
        "vocabulary": "it needs a custom meta-schema served from http://localhost:1234 that switches vocabularies off; workflowd always applies the 2020-12 vocabularies",
    ]

    struct Failure: CustomStringConvertible {
        var file: String, group: String, test: String, detail: String
        var description: String { "\(file): \(group) / \(test): \(detail)" }
    }

    /// Runs a file: (tests run, failures); `skipped` counts tests of remote-server groups.
    static func run(_ name: String, skipped: inout Int) throws -> (Int, [Failure]) {
        let data = try Data(contentsOf: directory.appendingPathComponent(name + ".json"))
        guard case .array(let groups) = try JSON(parsing: [UInt8](data)) else { return (0, []) }
        var count = 0
        var failures: [Failure] = []
        for group in groups {
            let description = group["description"]?.stringValue ?? "?"
            let tests = group["tests"]?.arrayValue ?? []
            let schema: JSONSchema
            do {
                schema = try JSONSchema(group["schema"] ?? true)
            } catch where !required.contains(name) && (group["schema"] ?? true).serialized().contains(remoteServer)
                && error.message.contains("remote schemas are not fetched") {
                skipped += tests.count
                continue
            } catch {
                count += tests.count
                failures.append(Failure(file: name, group: description, test: "(compile)", detail: "\(error)"))
                continue
            }
            for test in tests {
                count += 1
                let expected = test["valid"]?.boolValue ?? false
                let data = test["data"] ?? .null
                let errors = schema.validate(data)
                let quick = schema.isValid(data)
                if errors.isEmpty != expected || quick != expected {
                    failures.append(Failure(file: name, group: description, test: test["description"]?.stringValue ?? "?",
                                            detail: "expected \(expected ? "valid" : "invalid"), validate gave \(errors.map(\.description)), isValid gave \(quick)"))
                }
            }
        }
        return (count, failures)
    }

    @Test("every test of each required keyword file passes", arguments: required)
    func requiredFile(_ name: String) throws {
        var skipped = 0
        let (count, failures) = try Self.run(name, skipped: &skipped)
        #expect(skipped == 0)
        #expect(count > 0)
        #expect(failures.isEmpty, "\(failures.count) of \(count) failing:\n\(failures.map(\.description).joined(separator: "\n"))")
    }

    @Test("every test of the optional files that run passes", arguments: optional)
    func optionalFile(_ name: String) throws {
        var skipped = 0
        let (count, failures) = try Self.run(name, skipped: &skipped)
        #expect(count > 0)
        #expect(failures.isEmpty, "\(failures.count) of \(count) failing:\n\(failures.map(\.description).joined(separator: "\n"))")
    }

    @Test("all 46 files are accounted for, and the counts are reported")
    func accounting() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path).filter { $0.hasSuffix(".json") }
            .map { String($0.dropLast(5)) }
        #expect(files.count == 46)
        #expect(Set(files) == Set(Self.required + Self.optional + Array(Self.skipped.keys)))
        var requiredCount = 0, requiredPassed = 0, optionalCount = 0, optionalPassed = 0, skipped = 0
        for name in Self.required {
            let (count, failures) = try Self.run(name, skipped: &skipped)
            requiredCount += count
            requiredPassed += count - failures.count
        }
        for name in Self.optional {
            let (count, failures) = try Self.run(name, skipped: &skipped)
            optionalCount += count
            optionalPassed += count - failures.count
        }
        #expect(requiredPassed == requiredCount)
        #expect(optionalPassed == optionalCount)
        print("json-schema 2020-12: required \(requiredCount) tests run, \(requiredPassed) passed; optional \(optionalCount) run, \(optionalPassed) passed, \(skipped) skipped (remote server); files skipped: \(Self.skipped.keys.sorted().joined(separator: ", "))")
    }
}

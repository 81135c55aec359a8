import Foundation
import JMESPath
import JSONSchema
import Testing
import WorkflowDefinitions
import WorkflowEngine
import WorkflowTestSupport

/// Definitions come from people and from anywhere: whatever a file says is refused with an error
/// that names the file and the path, and nothing in it can crash the process (durations that
/// overflow, schemas whose references loop, ids that collide, nesting that exhausts the stack).
@Suite("Definitions that cannot crash the process")
struct DefinitionRobustnessTests {
    func problem(_ text: String, file: String = "bad.yaml") -> DefinitionError? {
        do {
            _ = try Definition.parse(text, file: file)
            return nil
        } catch {
            return error
        }
    }

    func definition(executors: String, edges: String = "[]") -> String {
        """
        name: bad
        start: a
        executors:
        \(executors)
        edges: \(edges)
        """
    }

    @Test("durations are bounded: 1e30s is refused (it would trap as a Duration)", arguments: ["1e30s", "99999999h", "31d", "1e400s"])
    func durations(_ value: String) throws {
        let error = try #require(problem(definition(executors: "  a: { kind: exec, command: [/bin/cat], timeout: \(value) }")))
        #expect(error.path == "executors.a.timeout")
        #expect(error.message.contains("30 days") || error.message.contains("must be a duration"))
    }

    @Test("retries and maxSupersteps are bounded")
    func counts() throws {
        #expect(try #require(problem(definition(executors: "  a: { kind: exec, command: [/bin/cat], retries: 100000 }"))).path == "executors.a.retries")
        let many = "name: bad\nstart: a\nmaxSupersteps: 1e15\nexecutors:\n  a: { kind: output }\n"
        #expect(try #require(problem(many)).path == "maxSupersteps")
    }

    @Test("a request schema whose references loop is refused when the definition loads", arguments: [
        ##"{"$ref": "#"}"##,
        ##"{"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"allOf": [{"$ref": "#/$defs/a"}]}}, "$ref": "#/$defs/a"}"##,
        ##"{"anyOf": [{"type": "string"}, {"$ref": "#"}]}"##,
    ])
    func schemaLoops(_ schema: String) throws {
        let error = try #require(problem(definition(executors: "  a: { kind: request, schema: \(schema) }")))
        #expect(error.path == "executors.a.schema")
        #expect(error.message.contains("reference loop"))
        // Recursion that descends into the value is fine (a tree, a linked list).
        let tree = ##"{"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#"}}}}"##
        #expect(problem(definition(executors: "  a: { kind: request, schema: \(tree) }")) == nil)
    }

    @Test("executor ids are checked: edge ids cannot collide", arguments: ["a->b", "x[1]", "a,b", "k:v", "p/q", "-dash", ".dot", String(repeating: "n", count: 65), "sp ace"])
    func executorIDs(_ id: String) throws {
        let quoted = JSON.string(id).serialized()
        let error = try #require(problem("name: bad\nstart: \(quoted)\nexecutors:\n  \(quoted): { kind: output }\n"))
        #expect(error.path == "executors.\(id)")
        #expect(error.message.contains("not a valid executor id"))
    }

    @Test("nesting and size are bounded before the YAML parser sees the text")
    func nesting() throws {
        let deep = "name: deep\nstart: a\nexecutors:\n  a: { kind: request, schema: " + String(repeating: "[", count: 100_000) + " }\n"
        let error = try #require(problem(deep))
        #expect(error.message.contains("nesting deeper than 64 levels"))
        #expect(error.line == 4)
        let huge = "name: huge\nstart: a\n# " + String(repeating: "x", count: 2 << 20) + "\nexecutors:\n  a: { kind: output }\n"
        #expect(try #require(problem(huge)).message.contains("larger than 1 MiB"))
    }

    @Test("JMESPath expressions are bounded: deep nesting and thousands of tokens are syntax errors, not stack overflows")
    func expressions() throws {
        let nested = String(repeating: "(", count: 5000) + "a" + String(repeating: ")", count: 5000)
        #expect(throws: JMESPathError.self) { try JMESPathExpression(nested) }
        let long = (0..<3000).map { "a\($0)" }.joined(separator: ".")
        #expect(throws: JMESPathError.self) { try JMESPathExpression(long) }
        let fine = (0..<100).map { "a\($0)" }.joined(separator: ".")
        #expect(throws: Never.self) { try JMESPathExpression(fine) }
    }

    @Test("validating a deeply nested response against a recursive schema ends with an error, not a crash")
    func deepResponse() throws {
        let schema = try JSONSchema(["type": "array", "items": ["$ref": "#"]])
        var value: JSON = []
        for _ in 0..<2000 { value = [value] }
        let problems = schema.validate(value)
        #expect(problems.first?.message.contains("nested too deep") == true)
    }

    // MARK: Random mutations

    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Contrib/examples").standardized.path

    static let nasty: [String] = ["1e30s", "-1", "1e400", "{\"$ref\": \"#\"}", "[[[[[[", "]]", "&a", "*a", "!!binary x", "a->b",
                                  "null", "~", "''", "\"\\u0000\"", "99999999999999999999", ".inf", "-.nan", "{", "}", ":", "- -",
                                  "kind: workflow", "definition: release", "when: \"\"", "switch: []", "[a, a]", "| x"]

    /// A text mutated `count` times: characters deleted, inserted or replaced, lines duplicated
    /// or dropped, values swapped for nasty ones.
    static func mutate(_ text: String, count: Int, using generator: inout SeededGenerator) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for _ in 0..<count {
            guard !lines.isEmpty else { break }
            let index = Int.random(in: 0..<lines.count, using: &generator)
            switch Int.random(in: 0..<7, using: &generator) {
            case 0: lines.remove(at: index)
            case 1: lines.insert(lines[index], at: index)
            case 2:
                var characters = Array(lines[index])
                if !characters.isEmpty { characters.remove(at: Int.random(in: 0..<characters.count, using: &generator)) }
                lines[index] = String(characters)
            case 3:
                var characters = Array(lines[index])
                let symbols = Array("{}[]:,-\"' #&*!|>%@\t0123456789abcxyz\\")
                characters.insert(symbols.randomElement(using: &generator)!, at: Int.random(in: 0...characters.count, using: &generator))
                lines[index] = String(characters)
            case 4:
                if let colon = lines[index].lastIndex(of: ":") {
                    lines[index] = String(lines[index][...colon]) + " " + nasty.randomElement(using: &generator)!
                }
            case 5: lines.swapAt(index, Int.random(in: 0..<lines.count, using: &generator))
            default: lines[index] = String(repeating: " ", count: Int.random(in: 0...6, using: &generator)) + lines[index]
            }
        }
        return lines.joined(separator: "\n")
    }

    /// A random JSON value, some of it nasty.
    static func randomJSON(depth: Int = 0, using generator: inout SeededGenerator) -> JSON {
        switch Int.random(in: 0..<(depth > 4 ? 5 : 8), using: &generator) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &generator))
        case 2: return .number([0, -1, 1.5, 1e300, -1e-300, 9_007_199_254_740_993].randomElement(using: &generator)!)
        case 3: return .string(["", "yes", "#", "$ref", "\u{0}", String(repeating: "x", count: 300)].randomElement(using: &generator)!)
        case 4: return .number(Double(Int.random(in: -1000...1000, using: &generator)))
        case 5: return .array((0..<Int.random(in: 0...4, using: &generator)).map { _ in randomJSON(depth: depth + 1, using: &generator) })
        default:
            var object: JSONObject = [:]
            let keys = ["type", "approved", "items", "$ref", "properties", "required", "minimum", "enum", "allOf", "not", "note"]
            for _ in 0..<Int.random(in: 0...4, using: &generator) {
                object[keys.randomElement(using: &generator)!] = randomJSON(depth: depth + 1, using: &generator)
            }
            return .object(object)
        }
    }

    @Test("thousands of random mutations of the examples load or are refused, never crash; random responses validate")
    func mutations() throws {
        var generator = SeededGenerator(environment: ProcessInfo.processInfo.environment)
        print("DefinitionRobustnessTests seed: \(generator.seed) (WORKFLOWD_TEST_SEED=\(generator.seed) replays it)")
        let (library, _) = Definition.loadDirectory(Self.examples)
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.examples).filter { $0.hasSuffix(".yaml") }.sorted()
        let validator = JSONSchemaValidator()
        var loaded = 0, refused = 0, validated = 0
        for round in 0..<3000 {
            let file = files[round % files.count]
            let text = try String(contentsOfFile: Self.examples + "/" + file, encoding: .utf8)
            let mutated = Self.mutate(text, count: Int.random(in: 1...4, using: &generator), using: &generator)
            do {
                let definition = try Definition.parse(mutated, file: Self.examples + "/" + file, definitions: library)
                loaded += 1
                // Its request schemas take random responses without a crash.
                if case .object(let executors)? = definition.document["executors"] {
                    for (_, executor) in executors where executor["kind"] == "request" {
                        for _ in 0..<3 {
                            _ = validator.problems(in: Self.randomJSON(using: &generator), against: executor["schema"] ?? true)
                            validated += 1
                        }
                    }
                }
            } catch {
                refused += 1
                #expect(error.file.hasSuffix(file), "seed \(generator.seed): the error names another file: \(error)")
                #expect(!error.message.isEmpty)
            }
        }
        #expect(loaded + refused == 3000)
        #expect(refused > 100 && loaded > 100, "loaded \(loaded), refused \(refused): the mutations are too mild or too wild")
        // Random schemas against random values: compile errors are fine, crashes are not.
        for _ in 0..<2000 {
            let schema = Self.randomJSON(using: &generator)
            _ = validator.problems(in: Self.randomJSON(using: &generator), against: schema)
            validated += 1
        }
        print("mutations: \(loaded) loaded, \(refused) refused, \(validated) responses validated")
    }
}

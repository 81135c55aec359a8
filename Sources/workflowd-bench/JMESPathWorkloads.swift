import JMESPath
import JSONSchema
import WorkflowDefinitions
import WorkflowEngine

/// The JMESPath workloads: the compliance suite's benchmark cases (`bench: parse` compiles,
/// `bench: full` compiles and evaluates), and the engine's hot path, evaluating a compiled
/// condition.
enum JMESPathWorkloads {
    static let reps = 7

    /// Times `body` over enough iterations to take about 20 ms, returning µs per iteration.
    static func measure(_ body: () throws -> Void) throws -> [Double] {
        var iterations = 1
        while true {
            let start = nowMicros()
            for _ in 0..<iterations { try body() }
            if nowMicros() - start > 2_000 || iterations >= 1 << 22 { break }
            iterations *= 2
        }
        iterations *= 10
        var samples: [Double] = []
        for _ in 0..<reps {
            let start = nowMicros()
            for _ in 0..<iterations { try body() }
            samples.append((nowMicros() - start) / Double(iterations))
        }
        return samples
    }

    /// `message.score > \`0.5\`` compiled once, evaluated against a message (target ≤ 1 µs).
    static func condition() throws -> Report {
        let expression = try JMESPathExpression("message.score > `0.5`")
        let input: JSON = ["message": ["score": 0.7, "text": "hello"], "state": ["count": 3]]
        var matched = 0
        let samples = try measure {
            let result: Bool
            do { result = try expression.matches(input) } catch { throw error }
            if result { matched += 1 }
        }
        precondition(matched > 0)
        return Report(unit: "evaluation", samples: samples)
    }

    /// A typical human-in-the-loop response checked against its request's schema (compiled once).
    static func schemaResponse() throws -> Report {
        let schema = try JSONSchema(["type": "object", "required": ["approved"], "additionalProperties": false,
                                     "properties": ["approved": ["type": "boolean"], "note": ["type": "string", "maxLength": 200]]])
        let response: JSON = ["approved": true, "note": "looks good"]
        var valid = 0
        let samples = try measure { if schema.isValid(response) { valid += 1 } }
        precondition(valid > 0)
        return Report(unit: "validation", samples: samples)
    }

    /// One workload per case of the suite's benchmarks.json.
    static func suiteWorkloads() -> [(name: String, run: @Sendable () async throws -> Report)] {
        guard let text = Definition.readText(benchmarksPath()), case .array(let groups)? = try? JSON(parsing: text) else { return [] }
        var workloads: [(name: String, run: @Sendable () async throws -> Report)] = []
        for group in groups {
            let given = group["given"] ?? .null
            for item in group["cases"]?.arrayValue ?? [] {
                guard let expression = item["expression"]?.stringValue, let comment = item["comment"]?.stringValue else { continue }
                let parseOnly = item["bench"]?.stringValue == "parse"
                var name = "jmespath_"
                for character in comment.lowercased() { name.append(character.isLetter || character.isNumber ? character : "_") }
                workloads.append((name, { try suiteCase(expression: expression, given: given, parseOnly: parseOnly) }))
            }
        }
        return workloads
    }

    static func suiteCase(expression: String, given: JSON, parseOnly: Bool) throws -> Report {
        let samples = try measure {
            let compiled = try JMESPathExpression(expression)
            if !parseOnly { _ = try compiled.evaluate(given) }
        }
        return Report(unit: parseOnly ? "parse" : "compile+evaluate", samples: samples)
    }

    static func benchmarksPath() -> String {
        // This file is <root>/Sources/workflowd-bench/JMESPathWorkloads.swift.
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/") + "/Tests/JMESPathTests/Fixtures/compliance/benchmarks.json"
    }
}

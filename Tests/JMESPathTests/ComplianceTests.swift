import Foundation
import JMESPath
import Testing
import WorkflowJSON

/// Runs the JMESPath compliance suite (Fixtures/compliance: 892 conformance cases, and 16
/// benchmark cases that are only run, not counted).
@Suite("JMESPath compliance suite")
struct ComplianceTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/compliance")

    static let files: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted()
    }()

    struct Case {
        var file: String
        var given: JSON
        var expression: String
        var result: JSON?
        var error: String?
        var bench: String?
    }

    static func cases(in file: String) throws -> [Case] {
        let data = try Data(contentsOf: directory.appendingPathComponent(file))
        guard case .array(let groups) = try JSON(parsing: [UInt8](data)) else { return [] }
        var cases: [Case] = []
        for group in groups {
            for item in group["cases"]?.arrayValue ?? [] {
                cases.append(Case(file: file, given: group["given"] ?? .null, expression: item["expression"]?.stringValue ?? "",
                                  result: item["result"], error: item["error"]?.stringValue, bench: item["bench"]?.stringValue))
            }
        }
        return cases
    }

    /// Runs one conformance case (one with an expected `result` or `error`); returns a
    /// description of the failure, or nil if it passed.
    static func run(_ c: Case) -> String? {
        precondition(c.result != nil || c.error != nil, "a benchmark case is not a conformance case")
        do {
            let compiled = try JMESPathExpression(c.expression)
            let value = try compiled.evaluate(c.given)
            if let error = c.error { return "\(c.file): \(c.expression): expected error \(error), got \(value)" }
            if let result = c.result, value != result { return "\(c.file): \(c.expression): expected \(result), got \(value)" }
            return nil
        } catch {
            guard let expected = c.error else { return "\(c.file): \(c.expression): unexpected error \(error)" }
            return error.kind.rawValue == expected ? nil : "\(c.file): \(c.expression): expected \(expected) error, got \(error)"
        }
    }

    /// The suite's benchmark cases say nothing about the result (they time parsing or
    /// evaluating): they are not conformance cases, and are only required to compile and run.
    static func isBenchmark(_ c: Case) -> Bool { c.result == nil && c.error == nil }

    @Test("every conformance case of each file passes", arguments: files)
    func file(_ name: String) throws {
        let failures = try Self.cases(in: name).filter { !Self.isBenchmark($0) }.compactMap(Self.run)
        #expect(failures.isEmpty, "\(failures.count) failing:\n\(failures.prefix(40).joined(separator: "\n"))")
    }

    @Test("the suite has 892 conformance cases and 16 benchmark cases in 16 files; every one passes")
    func count() throws {
        #expect(Self.files.count == 16)
        let all = try Self.files.flatMap { try Self.cases(in: $0) }
        let conformance = all.filter { !Self.isBenchmark($0) }
        #expect(all.count == 908)
        #expect(conformance.count == 892)
        let passed = conformance.filter { Self.run($0) == nil }.count
        #expect(passed == 892)
        // Benchmarks: each compiles, and evaluates unless it only times parsing.
        var benchmarksRun = 0
        for c in all where Self.isBenchmark(c) {
            #expect(throws: Never.self, "benchmark \(c.expression.prefix(60))") {
                let compiled = try JMESPathExpression(c.expression)
                if c.bench != "parse" { _ = try compiled.evaluate(c.given) }
            }
            benchmarksRun += 1
        }
        #expect(benchmarksRun == 16)
        print("jmespath compliance: \(conformance.count) conformance cases, \(passed) passed; \(benchmarksRun) benchmark expressions run")
    }
}

import Foundation
import JMESPath
import Testing
import WorkflowJSON

/// Runs every case of the JMESPath compliance suite (Fixtures/compliance, 908 cases).
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

    /// Runs one case; returns a description of the failure, or nil if it passed.
    static func run(_ c: Case) -> String? {
        do {
            let compiled = try JMESPathExpression(c.expression)
            if c.bench == "parse" { return nil }
            let value = try compiled.evaluate(c.given)
            if let error = c.error { return "\(c.file): \(c.expression): expected error \(error), got \(value)" }
            if let result = c.result, value != result { return "\(c.file): \(c.expression): expected \(result), got \(value)" }
            return nil
        } catch {
            guard let expected = c.error else { return "\(c.file): \(c.expression): unexpected error \(error)" }
            return error.kind.rawValue == expected ? nil : "\(c.file): \(c.expression): expected \(expected) error, got \(error)"
        }
    }

    @Test("every case of each file passes", arguments: files)
    func file(_ name: String) throws {
        let failures = try Self.cases(in: name).compactMap(Self.run)
        #expect(failures.isEmpty, "\(failures.count) failing:\n\(failures.prefix(40).joined(separator: "\n"))")
    }

    @Test("the suite has all 908 cases in 16 files")
    func count() throws {
        #expect(Self.files.count == 16)
        let all = try Self.files.flatMap { try Self.cases(in: $0) }
        #expect(all.count == 908)
        let passed = all.filter { Self.run($0) == nil }.count
        #expect(passed == 908)
        print("jmespath compliance: \(all.count) cases run, \(passed) passed")
    }
}

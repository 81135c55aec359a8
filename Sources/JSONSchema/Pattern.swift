import WorkflowJSON

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

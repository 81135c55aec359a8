/// A value bound to a statement, or read from a row, on either backend.
///
/// On SQLite the statements a commit runs for every superstep bind these through SQLite's C API
/// (`Database.execute(_:_:)`): GRDB's existential argument boxes cost 28 µs of the writer's 250
/// on a trivial run's commit (perf, `run_latency`), for some 120 values.
public enum SQLValue: Sendable, Equatable {
    case text(String)
    case integer(Int64)
    case real(Double)
    case null

    /// Text, or NULL for nil.
    static func text(_ value: String?) -> SQLValue { value.map { .text($0) } ?? .null }
    /// A real, or NULL for nil.
    static func real(_ value: Double?) -> SQLValue { value.map { .real($0) } ?? .null }
    /// An integer.
    static func integer(_ value: Int) -> SQLValue { .integer(Int64(value)) }
    /// An integer, or NULL for nil.
    static func integer(_ value: Int64?) -> SQLValue { value.map { .integer($0) } ?? .null }
    /// A flag, as SQLite keeps them: 1 or 0.
    static func flag(_ value: Bool) -> SQLValue { .integer(value ? 1 : 0) }

    /// The text, if this is text.
    var textValue: String? {
        if case .text(let text) = self { return text }
        return nil
    }

    /// The integer, if this is a number with no fraction.
    var integerValue: Int64? {
        switch self {
        case .integer(let number): number
        case .real(let number): number.rounded() == number ? Int64(exactly: number) : nil
        default: nil
        }
    }

    /// The number, if this is one.
    var realValue: Double? {
        switch self {
        case .integer(let number): Double(number)
        case .real(let number): number
        default: nil
        }
    }

    /// What kind of value this is, for errors.
    var kind: String {
        switch self {
        case .text: "text"
        case .integer: "an integer"
        case .real: "a real number"
        case .null: "NULL"
        }
    }
}

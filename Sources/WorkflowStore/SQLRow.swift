import WorkflowEngine

/// A row a query returned: its values by column name (compared without case: PostgreSQL folds
/// unquoted names to lower case, SQLite keeps them as written).
public struct SQLRow: Sendable {
    private var names: [String]
    private var values: [SQLValue]

    /// A row of `columns` (name and value, in the query's order).
    public init(_ columns: [(String, SQLValue)]) {
        names = columns.map { $0.0.lowercased() }
        values = columns.map(\.1)
    }

    /// The values, in the query's order.
    var allValues: [SQLValue] { values }

    /// The value of the first column.
    var first: SQLValue { values.first ?? .null }

    /// The value of column `name` (NULL if the row has no such column).
    subscript(_ name: String) -> SQLValue {
        let key = name.lowercased()
        guard let index = names.firstIndex(of: key) else { return .null }
        return values[index]
    }

    /// Column `name` as text; a store error if it is NULL or not text.
    func text(_ name: String) throws -> String {
        guard let text = self[name].textValue else { throw Self.mismatch(name, "text", self[name]) }
        return text
    }

    /// Column `name` as text, or nil for NULL.
    func optionalText(_ name: String) throws -> String? {
        let value = self[name]
        if case .null = value { return nil }
        guard let text = value.textValue else { throw Self.mismatch(name, "text", value) }
        return text
    }

    /// Column `name` as an integer; a store error if it is NULL or not a number.
    func integer(_ name: String) throws -> Int64 {
        guard let number = self[name].integerValue else { throw Self.mismatch(name, "an integer", self[name]) }
        return number
    }

    /// Column `name` as an integer, or nil for NULL.
    func optionalInteger(_ name: String) throws -> Int64? {
        let value = self[name]
        if case .null = value { return nil }
        guard let number = value.integerValue else { throw Self.mismatch(name, "an integer", value) }
        return number
    }

    /// Column `name` as a real number; a store error if it is NULL or not a number.
    func real(_ name: String) throws -> Double {
        guard let number = self[name].realValue else { throw Self.mismatch(name, "a number", self[name]) }
        return number
    }

    /// Column `name` as a real number, or nil for NULL.
    func optionalReal(_ name: String) throws -> Double? {
        let value = self[name]
        if case .null = value { return nil }
        guard let number = value.realValue else { throw Self.mismatch(name, "a number", value) }
        return number
    }

    /// Column `name` as a flag (an integer, non-zero for true).
    func bool(_ name: String) throws -> Bool { try integer(name) != 0 }

    private static func mismatch(_ name: String, _ expected: String, _ value: SQLValue) -> WorkflowError {
        WorkflowError(.storeFailed, "the store's column '\(name)' holds \(value.kind) where \(expected) was expected")
    }
}

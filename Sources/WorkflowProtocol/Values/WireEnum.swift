import WorkflowJSON

/// A closed set of strings on the wire: the Swift type is the one source of its values, and its
/// schema (a string enum) is derived from them.
public protocol WireEnum: RawRepresentable<String>, CaseIterable, Codable, Sendable, Hashable {}

extension WireEnum {
    /// The schema of the set: a string, one of the cases' raw values.
    public static var schema: JSON { Schema.oneOf(allCases.map(\.rawValue)) }
}

extension WireEnum {
    /// Reads the value, naming the set when it is not one of it ("must be one of reject, queue,
    /// not 'maybe'").
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Self(rawValue: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "must be one of \(Self.allCases.map(\.rawValue).joined(separator: ", ")), not '\(text)'"))
        }
        self = value
    }
}

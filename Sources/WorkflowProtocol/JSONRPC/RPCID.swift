import WorkflowJSON

/// A request id: a string, a number, or null (JSON-RPC 2.0 allows all three; null is only
/// answered to when the id could not be read).
public struct RPCID: Sendable, Hashable, CustomStringConvertible {
    public let json: JSON

    /// A valid id, or nil if `json` is not a string, a number or null.
    public init?(_ json: JSON) {
        switch json {
        case .string, .number, .null: self.json = json
        default: return nil
        }
    }

    public init(_ number: Int) { self.json = .number(Double(number)) }
    public init(_ string: String) { self.json = .string(string) }

    public static let null = RPCID(.null)!

    public var description: String { json.serialized() }
}

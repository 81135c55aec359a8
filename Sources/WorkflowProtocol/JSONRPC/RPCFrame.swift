import WorkflowJSON

/// One NDJSON line, decoded: a single message, a batch, or an error answered once with id null
/// (not JSON at all; an empty batch).
public enum RPCFrame: Sendable {
    case single(RPCIncoming)
    case batch([RPCIncoming])
    case unreadable(RPCError)

    /// Decodes a line (without its newline). Blank lines are `nil`: they are skipped.
    public static func decode(_ line: some Collection<UInt8>) -> RPCFrame? {
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return nil }
        let json: JSON
        do {
            json = try JSON(parsing: line)
        } catch {
            return .unreadable(.parseError(error.description))
        }
        if case .array(let elements) = json {
            guard !elements.isEmpty else { return .unreadable(.invalidRequest("an empty batch")) }
            return .batch(elements.map(RPCIncoming.init))
        }
        return .single(RPCIncoming(json))
    }
}

import WorkflowJSON

/// Messages as they go out, one NDJSON line each (`\n`-terminated, keys sorted).
public enum RPCOutgoing {
    /// `{"jsonrpc":"2.0","id":…,"result":…}`
    public static func result(id: RPCID, _ result: JSON) -> JSON {
        ["jsonrpc": "2.0", "id": id.json, "result": result]
    }

    /// `{"jsonrpc":"2.0","id":…,"error":{…}}`
    public static func error(id: RPCID, _ error: RPCError) -> JSON {
        ["jsonrpc": "2.0", "id": id.json, "error": error.json]
    }

    /// `{"jsonrpc":"2.0","method":…,"params":…}` (no id: not answered).
    public static func notification(_ method: String, _ params: JSON) -> JSON {
        ["jsonrpc": "2.0", "method": .string(method), "params": params]
    }

    /// `{"jsonrpc":"2.0","id":…,"method":…,"params":…}` (without `params` when there are none)
    public static func request(id: RPCID, _ method: String, _ params: JSON?) -> JSON {
        var message: JSONObject = ["jsonrpc": "2.0", "id": id.json, "method": .string(method)]
        if let params { message["params"] = params }
        return .object(message)
    }

    /// The line of an `events.event` notification, built around an event already serialized
    /// (keys sorted): byte for byte what ``line(_:)`` makes of the notification, without building
    /// or serializing it again for every subscriber.
    public static func eventLine(subscription: String, event: [UInt8]) -> [UInt8] {
        let head = #"{"jsonrpc":"2.0","method":"events.event","params":{"event":"#.utf8
        let id = JSON.string(subscription).serializedBytes()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(head.count + event.count + id.count + 20)
        bytes += head
        bytes += event
        bytes += #","subscription":"#.utf8
        bytes += id
        bytes += "}}\n".utf8
        return bytes
    }

    /// A message as one line of bytes, newline included.
    public static func line(_ message: JSON) -> [UInt8] {
        var bytes = message.serializedBytes()
        bytes.append(0x0A)
        return bytes
    }
}

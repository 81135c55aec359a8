import WorkflowJSON

/// One message of a frame, decoded in one pass: a request (with an id, answered), a
/// notification (no id, never answered), a response (what a client receives), or an invalid
/// message with the id to answer it with (readable if it could be read, else null).
public enum RPCIncoming: Sendable {
    case request(id: RPCID, method: String, params: JSON?)
    case notification(method: String, params: JSON?)
    case response(id: RPCID, result: Result<JSON, RPCError>)
    case invalid(id: RPCID, error: RPCError)

    /// Decodes one message (a batch element, or a whole single message).
    public init(_ json: JSON) {
        guard case .object(let object) = json else {
            self = .invalid(id: .null, error: .invalidRequest("a message must be an object, not \(json.typeName)"))
            return
        }
        let hasID = object["id"] != nil
        let id = object["id"].flatMap(RPCID.init)
        let readableID = id ?? .null
        if hasID && id == nil {
            self = .invalid(id: .null, error: .invalidRequest("the id must be a string, a number or null, not \(object["id"]!.typeName)"))
            return
        }
        guard object["jsonrpc"] == "2.0" else {
            self = .invalid(id: readableID, error: .invalidRequest("\"jsonrpc\" must be exactly \"2.0\""))
            return
        }
        if object["method"] == nil, let id, object["result"] != nil || object["error"] != nil {
            if let result = object["result"] {
                self = .response(id: id, result: .success(result))
            } else if let error = try? RPCError(json: object["error"]!) {
                self = .response(id: id, result: .failure(error))
            } else {
                self = .invalid(id: id, error: .invalidRequest("a response's error must be {code, message}"))
            }
            return
        }
        guard case .string(let method)? = object["method"] else {
            let what = object["method"].map { "\"method\" must be a string, not \($0.typeName)" } ?? "\"method\" is missing"
            self = .invalid(id: readableID, error: .invalidRequest(what))
            return
        }
        let params = object["params"]
        if let params {
            switch params {
            case .object, .array: break
            default:
                self = .invalid(id: readableID, error: .invalidRequest("\"params\" must be an object or an array, not \(params.typeName)"))
                return
            }
        }
        if let unknown = object.keys.first(where: { !["jsonrpc", "id", "method", "params"].contains($0) }) {
            self = .invalid(id: readableID, error: .invalidRequest("unknown member \"\(unknown)\""))
            return
        }
        self = id.map { .request(id: $0, method: method, params: params) } ?? .notification(method: method, params: params)
    }
}

import WorkflowJSON

/// A notification the daemon sends (never answered). Both sides build and read it through its
/// typed ``Params``: the daemon with ``message(_:)``, the client with ``decode(params:)``.
public protocol RPCNotification: Sendable {
    /// What the notification carries.
    associatedtype Params: Codable & Sendable
    /// Its method name.
    static var name: String { get }
    /// What it means (the OpenRPC document's summary).
    static var summary: String { get }
    /// Its params' schema (the OpenRPC document's).
    static var params: JSON { get }
}

extension RPCNotification {
    /// The whole JSON-RPC notification carrying `params`.
    public static func message(_ params: Params) throws -> JSON {
        RPCOutgoing.notification(name, try JSONValueEncoder().encode(params))
    }

    /// Reads the params of a received notification of this method.
    public static func decode(params: JSON?) throws -> Params {
        try JSONValueDecoder().decode(Params.self, from: params ?? [:], path: "params")
    }
}

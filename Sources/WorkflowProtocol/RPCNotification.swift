import WorkflowJSON

/// A notification the daemon sends (never answered).
public protocol RPCNotification: Sendable {
    associatedtype Params: Codable & Sendable
    static var name: String { get }
    static var summary: String { get }
    static var params: JSON { get }
}

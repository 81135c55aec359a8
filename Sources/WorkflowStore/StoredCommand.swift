import WorkflowJSON

/// A request one host passed to the host that owns its instance (DESIGN.md §12): the JSON-RPC
/// method and params, and the peer it came from, whose rights it is applied with.
public struct StoredCommand: Sendable, Equatable {
    /// The command's id (its answer is found by it).
    public var id: Int64
    /// The host that sent it, and waits for its answer.
    public var origin: String
    /// The instance it is for.
    public var instance: String
    /// The JSON-RPC method.
    public var method: String
    /// Its params (absent: none).
    public var params: JSON?
    /// The peer that asked, on the origin host.
    public var uid: UInt32
    public var gid: UInt32
    public var pid: Int32
    /// How many hosts it has passed through (a command is not passed on for ever).
    public var hops: Int

    /// A command as stored.
    public init(id: Int64, origin: String, instance: String, method: String, params: JSON?, uid: UInt32, gid: UInt32, pid: Int32, hops: Int) {
        self.id = id
        self.origin = origin
        self.instance = instance
        self.method = method
        self.params = params
        self.uid = uid
        self.gid = gid
        self.pid = pid
        self.hops = hops
    }
}

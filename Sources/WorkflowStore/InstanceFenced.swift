import WorkflowEngine

/// A commit refused because this host no longer owns the instance: another host claimed it
/// after this one's lease ran out (it was paused, partitioned, or too slow to beat its heart).
/// What the commit carried is not stored; the host drops the instance.
public struct InstanceFenced: Error, Sendable, CustomStringConvertible {
    /// The instance.
    public var instance: String
    /// The host that owns it now, if one does.
    public var owner: String?

    /// The refusal for `instance`, now `owner`'s.
    public init(instance: String, owner: String?) {
        self.instance = instance
        self.owner = owner
    }

    public var description: String {
        "instance '\(instance)' is no longer owned by this host" + (owner.map { " (host '\($0)' owns it now)" } ?? "")
            + ": its commit was refused"
    }
}

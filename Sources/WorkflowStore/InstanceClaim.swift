/// What claiming an instance gave (several hosts sharing a database, DESIGN.md §12).
public enum InstanceClaim: Sendable, Equatable {
    /// This host owns the instance now, under `epoch` (each claim raises it: commits made under
    /// an older one are refused).
    case owned(epoch: Int64)
    /// A live host owns it: requests for it go there.
    case ownedElsewhere(host: String)
    /// The store has no such instance.
    case missing
}

import WorkflowEngine

/// A schedule as the store keeps it: who owns it, where it was declared, its declaration, and
/// where it stands (paused, the next fire not yet taken, what the last fire did).
public struct StoredSchedule: Sendable, Hashable {
    /// Its name, daemon-wide.
    public var name: String
    /// The uid that created it (0 for one declared in a definition file).
    public var ownerUID: UInt32
    /// `api`, or the definition file that declares it.
    public var source: String
    /// The declaration, as given.
    public var spec: JSON
    /// Whether it is paused (then it has no next fire).
    public var paused: Bool
    /// The nominal time of the next fire not yet taken (seconds since 1970); nil when paused.
    public var nextFire: Double?
    /// What the last fire did (`{scheduledFor, firedAt, outcome, runId?, error?}`).
    public var lastFire: JSON?
    /// When it was created.
    public var createdAt: Double

    /// Makes a stored schedule.
    /// - Parameters:
    ///   - name: Its name.
    ///   - ownerUID: The uid that created it.
    ///   - source: `api`, or the declaring file.
    ///   - spec: The declaration.
    ///   - paused: Whether it is paused.
    ///   - nextFire: The next fire not yet taken.
    ///   - lastFire: What the last fire did.
    ///   - createdAt: When it was created.
    public init(name: String, ownerUID: UInt32, source: String, spec: JSON, paused: Bool, nextFire: Double?, lastFire: JSON?, createdAt: Double) {
        self.name = name
        self.ownerUID = ownerUID
        self.source = source
        self.spec = spec
        self.paused = paused
        self.nextFire = nextFire
        self.lastFire = lastFire
        self.createdAt = createdAt
    }
}

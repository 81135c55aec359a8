/// A cause read back from JSON: only its text survives.
public struct RecordedCause: Error, Sendable, CustomStringConvertible {
    public var description: String
}

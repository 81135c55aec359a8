/// Why a time zone, a cron expression or a cadence was refused: a ``Code`` and a message that
/// names the problem.
public struct CalendarError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem.
    public enum Code: String, Sendable, Hashable {
        /// A time zone name that is not in the zoneinfo directory, or a file or rule that does
        /// not parse.
        case invalidZone
        /// A cron expression that does not parse, or never fires.
        case invalidCron
        /// An interval that is not a positive duration.
        case invalidInterval
    }

    /// What kind of problem.
    public var code: Code
    /// What is wrong, in words.
    public var message: String

    /// Makes an error.
    /// - Parameters:
    ///   - code: What kind of problem.
    ///   - message: What is wrong, in words.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
}

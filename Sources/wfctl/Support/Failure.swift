/// An error of wfctl itself (bad input it found before asking the daemon), with its exit status.
struct Failure: Error, CustomStringConvertible {
    var status: ExitStatus
    var message: String
    /// What to do about it, if there is something.
    var hint: String?

    init(_ status: ExitStatus, _ message: String, hint: String? = nil) {
        self.status = status
        self.message = message
        self.hint = hint
    }

    var description: String { message }
}

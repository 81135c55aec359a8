/// How an `exec` executor runs its program (from the definition).
struct ExecConfiguration: Sendable {
    var program: String
    var arguments: [String]
    var environment: [String: String]
    var workingDirectory: String?
    var timeout: Double
    var retries: Int
    var backoff: Double
    /// How long TERM may take before KILL, when the process group is torn down.
    var grace: Double
}

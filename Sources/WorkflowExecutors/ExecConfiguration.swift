/// How an `exec` or `worker` executor runs its program (from the definition).
package struct ExecConfiguration: Sendable {
    /// The program (a path, or a name looked up in `PATH`).
    package var program: String
    /// Its arguments.
    package var arguments: [String]
    /// Variables added to its environment.
    package var environment: [String: String]
    /// Where it runs (the daemon's directory when nil).
    package var workingDirectory: String?
    /// Seconds one call may take.
    package var timeout: Double
    /// Further attempts after a failed one.
    package var retries: Int
    /// Seconds before the first retry (doubling after each).
    package var backoff: Double
    /// How long TERM may take before KILL, when the process group is torn down.
    package var grace: Double

    /// A configuration as a definition states it.
    package init(program: String, arguments: [String], environment: [String: String], workingDirectory: String?,
                 timeout: Double, retries: Int, backoff: Double, grace: Double) {
        self.program = program
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.grace = grace
    }
}

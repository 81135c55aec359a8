import WorkflowEngine

/// Why one attempt of an `exec` program or a worker call failed (the text goes into the
/// executor's error), and what kind of failure it was, for retry policies' `on:` lists.
struct ExecFailure: Error, CustomStringConvertible {
    var description: String
    /// `exit:N`, `timeout` or `crash` (killed by a signal, a worker that stopped), if one of those.
    var failure: String?
    /// The code a worker answered with, if it did.
    var errorCode: String?
    /// Whether the step marked it final (no retry helps).
    var final = false

    init(description: String, failure: String? = nil, errorCode: String? = nil, final: Bool = false) {
        self.description = description
        self.failure = failure
        self.errorCode = errorCode
        self.final = final
    }

    /// What a retry policy reads: `{failure?, errorCode?, final?}`.
    var details: JSON {
        var object: JSONObject = [:]
        if let failure { object["failure"] = .string(failure) }
        if let errorCode { object["errorCode"] = .string(errorCode) }
        if final { object["final"] = true }
        return .object(object)
    }
}

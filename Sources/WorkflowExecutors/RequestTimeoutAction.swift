import JMESPath
import WorkflowJSON

/// What a `request` step does when its timeout passes and nobody answered.
package enum RequestTimeoutAction: Sendable {
    /// Fails the run, saying the request timed out (the default).
    case fail
    /// Answers with this value for the person (checked against the request's schema).
    case respond(JSON)
    /// Answers with what the expression gives over `{message: <the request's payload>, state}`
    /// (checked against the request's schema).
    case respondWith(JMESPathExpression)
    /// Sends `{requestId, request, timedOut: true, expiredAt}` to this executor instead (escalates).
    case to(String)
}

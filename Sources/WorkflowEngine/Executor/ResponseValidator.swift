/// Checks a response against a request's schema before the instance accepts it. The JSON Schema
/// library provides the real one; without a validator every response is accepted.
public protocol ResponseValidator: Sendable {
    /// The problems with `response`, each naming where it is ("/approved: expected boolean, got
    /// string"); empty when the response is valid.
    func problems(in response: JSON, against schema: JSON) -> [String]
}

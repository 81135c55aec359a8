import WorkflowJSON

/// What a definition's expressions see: `{message, state}` (the message an executor or an edge
/// handles, and the instance's shared state). Conditions, selections, transforms and request
/// payloads all read this one shape.
package enum ExpressionInput {
    /// The expression input for `message` under `state`.
    package static func of(_ message: JSON, _ state: JSONObject) -> JSON { ["message": message, "state": .object(state)] }
}

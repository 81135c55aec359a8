import WorkflowJSON

/// A `$dynamicRef`: its static target, and the anchor name if it is dynamic (bookended).
struct DynamicReference: Sendable {
    var target: Int
    var anchor: String?
}

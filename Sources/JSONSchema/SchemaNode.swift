import WorkflowJSON

/// A compiled subschema. Subschemas refer to each other by index into the compiled schema's node
/// list, so references (and cycles) cost nothing at validation time.
enum SchemaNode: Sendable {
    case always(Bool, location: String)
    case object(ObjectSchema)
}

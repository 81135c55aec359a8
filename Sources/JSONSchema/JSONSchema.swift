import Synchronization
import WorkflowJSON

/// A compiled JSON Schema (draft 2020-12): compile once, validate many times, from any thread.
///
/// ```swift
/// let schema = try JSONSchema(["type": "object", "required": ["approved"],
///                              "properties": ["approved": ["type": "boolean"]]])
/// schema.validate(["approved": "yes"]).map(\.description)
/// // ["/approved: expected boolean, got string"]
/// ```
///
/// Supported: every keyword of the core, applicator, unevaluated, validation, meta-data, format
/// (as an annotation) and content (as annotations) vocabularies, `$id`/`$anchor`/`$ref`/
/// `$dynamicAnchor`/`$dynamicRef` within the schema and to the 2020-12 meta-schemas. Remote
/// references are not fetched: a `$ref` to an unknown URI is a compile error.
public struct JSONSchema: Sendable {
    /// The schema as given.
    public let schema: JSON
    let nodes: [SchemaNode]
    let dynamicAnchors: [String: Int]
    let root: Int

    /// The base URI used for a schema without `$id`.
    public static let defaultBaseURI = "https://workflowd.invalid/schema.json"

    /// Compiles `schema`.
    /// - Throws: ``SchemaError`` naming where in the schema the problem is.
    public init(_ schema: JSON, baseURI: String = JSONSchema.defaultBaseURI) throws(SchemaError) {
        let compiler = SchemaCompiler(rootDocument: baseURI)
        self.root = try compiler.compile(schema)
        self.nodes = compiler.nodes
        self.dynamicAnchors = compiler.dynamicAnchorNodes
        self.schema = schema
        if let loop = Self.referenceLoop(in: nodes, dynamicAnchors: dynamicAnchors) {
            throw SchemaError(path: loop[0], "a reference loop applies a schema to the same value forever: " + loop.joined(separator: " → "))
        }
    }

    /// Every failure, each with the instance location, the schema location and a message; empty
    /// when `instance` is valid.
    public func validate(_ instance: JSON) -> [ValidationError] {
        var evaluator = Evaluator(nodes: nodes, dynamicAnchors: dynamicAnchors, errors: [])
        let outcome = evaluator.evaluate(root, instance, "", annotate: false)
        let errors = evaluator.errors ?? []
        if !outcome.valid && errors.isEmpty {
            return [ValidationError(instanceLocation: "", schemaLocation: "#", keyword: "", message: "does not match the schema")]
        }
        return outcome.valid ? [] : errors
    }

    /// Whether `instance` is valid (faster than ``validate(_:)``: it stops at the first failure).
    public func isValid(_ instance: JSON) -> Bool {
        var evaluator = Evaluator(nodes: nodes, dynamicAnchors: dynamicAnchors, errors: nil)
        return evaluator.evaluate(root, instance, "", annotate: false).valid
    }
}

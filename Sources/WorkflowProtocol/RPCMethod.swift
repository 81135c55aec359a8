import WorkflowJSON

/// A method of the protocol: its name, its params and result as Swift types, and their JSON
/// Schemas (from which the OpenRPC document is made). Daemon and client both use these types, so
/// they cannot drift.
public protocol RPCMethod: Sendable {
    associatedtype Params: Codable & Sendable
    associatedtype Result: Codable & Sendable
    static var name: String { get }
    static var summary: String { get }
    /// The params, by name.
    static var params: [RPCParam] { get }
    /// The result's schema.
    static var result: JSON { get }
    /// The errors this method may answer with (besides the specification's).
    static var errors: [RPCError.Code] { get }
}

extension RPCMethod {
    /// The params' schema as one object schema (what params are checked against).
    public static var paramsSchema: JSON {
        var properties: JSONObject = [:]
        for param in params { properties[param.name] = schema(of: param) }
        return ["type": "object", "properties": .object(properties), "additionalProperties": false,
                "required": .array(params.filter { isRequired($0.name) }.map { .string($0.name) })]
    }

    /// The result as the `Result` type declares it (see ``TypeShape``).
    public static var resultShape: TypeShape { TypeShape.of(Result.self) }

    /// The params as the `Params` type declares them (see ``TypeShape``).
    public static var paramsShape: TypeShape { TypeShape.of(Params.self) }

    /// The schema of `param`: the one it gives, else its type's.
    public static func schema(of param: RPCParam) -> JSON {
        if let schema = param.schema { return schema }
        guard case .object(let members) = paramsShape, let member = members[param.name] else { return Schema.any }
        return Schema.schema(for: member.shape)
    }

    /// Whether param `name` must be given: the `Params` type has it as a non-optional property.
    public static func isRequired(_ name: String) -> Bool {
        guard case .object(let members) = paramsShape else { return false }
        return members[name]?.required ?? false
    }

    /// Decodes params (absent params are `{}`).
    /// - Throws: `invalidParams` naming the path and the problem.
    public static func decode(_ params: JSON?) throws(RPCError) -> Params {
        let value = params ?? [:]
        guard case .object(let object) = value else {
            throw .invalidParams("\(name) takes its params by name (an object), not \(value.typeName)")
        }
        let known = Set(self.params.map(\.name))
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            let takes = self.params.isEmpty
                ? "\(name) takes no params"
                : "\(name) takes \(self.params.map(\.name).joined(separator: ", "))"
            throw .invalidParams("params.\(unknown): unknown (\(takes))", path: "params.\(unknown)")
        }
        do {
            return try JSONValueDecoder().decode(Params.self, from: value, path: "params")
        } catch let error as JSONShapeError {
            throw .invalidParams(error.description, path: error.path)
        } catch {
            throw .invalidParams("\(error)")
        }
    }

    /// Encodes a result.
    public static func encode(_ result: Result) throws -> JSON { try JSONValueEncoder().encode(result) }
    /// Encodes params (a client's side).
    public static func encode(params: Params) throws -> JSON { try JSONValueEncoder().encode(params) }
    /// Decodes a result (a client's side).
    public static func decode(result: JSON) throws -> Result { try JSONValueDecoder().decode(Result.self, from: result, path: "result") }
}

